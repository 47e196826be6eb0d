// UIDL (RFC 1939 7): message numbers and their unique ids, stable across sessions.
import { TRANSACTION, type Pop3Command } from './command.ts';
import { scanListing } from './scan-listing.ts';

export const uidlCommand: Pop3Command = {
  name: 'UIDL',
  states: TRANSACTION,
  minArgs: 0,
  maxArgs: 1,
  handle(session, [n]) {
    scanListing(session, n, (m) => `${m.number} ${m.uniqueId}`, 'unique ids');
  },
};
