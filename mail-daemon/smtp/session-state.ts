// What the hooks learn about one mail transaction (resolved recipients),
// kept beside smtp-server's envelope object, which is new for every
// transaction, so RSET and a second MAIL FROM start clean.
import type { LocalRecipient } from '../aliases/resolve-recipient.ts';

export interface TransactionState {
  local: Map<number, LocalRecipient>;
  external: Set<string>;
}

const states = new WeakMap<object, TransactionState>();

export function transactionState(envelope: object): TransactionState {
  let state = states.get(envelope);
  if (!state) {
    state = { local: new Map(), external: new Set() };
    states.set(envelope, state);
  }
  return state;
}
