// How many flags one STORE or APPEND may set: keywords are stored in one
// column per message, so an unbounded list would be an unbounded row.
// RFC 9051 7.1 names this case for the LIMIT response code.
import { no } from './imap-error.ts';

export const MAX_FLAGS_PER_COMMAND = 100;

export function assertFlagLimit(flags: string[]): void {
  if (flags.length > MAX_FLAGS_PER_COMMAND) throw no('LIMIT', `At most ${MAX_FLAGS_PER_COMMAND} flags at once`);
}
