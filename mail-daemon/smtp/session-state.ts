// What the hooks learn about one mail transaction (resolved recipients),
// kept beside smtp-server's envelope object, which is new for every
// transaction, so RSET and a second MAIL FROM start clean.
import { noRecipients, type Recipients } from '../delivery/recipients.ts';

export type TransactionState = Recipients;

const states = new WeakMap<object, TransactionState>();

export function transactionState(envelope: object): TransactionState {
  let state = states.get(envelope);
  if (!state) {
    state = noRecipients();
    states.set(envelope, state);
  }
  return state;
}
