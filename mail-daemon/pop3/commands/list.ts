// LIST (RFC 1939 5): message numbers and sizes.
import { TRANSACTION, type Pop3Command } from './command.ts';
import { scanListing } from './scan-listing.ts';

export const listCommand: Pop3Command = {
  name: 'LIST',
  states: TRANSACTION,
  minArgs: 0,
  maxArgs: 1,
  handle(session, [n]) {
    scanListing(session, n, (m) => `${m.number} ${m.size}`, 'messages');
  },
};
