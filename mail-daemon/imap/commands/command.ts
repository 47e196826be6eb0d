// The shape of one IMAP command: the states it is allowed in (RFC 3501 3),
// how its arguments are read, and its handler. The registry checks the state
// and parses the arguments before any handler runs, so handlers never do.
import type { ArgumentReader } from '../parser/argument-reader.ts';
import type { ImapSession } from '../imap-session.ts';

export type SessionState = 'NOT_AUTHENTICATED' | 'AUTHENTICATED' | 'SELECTED' | 'LOGOUT';

export const ANY_STATE: SessionState[] = ['NOT_AUTHENTICATED', 'AUTHENTICATED', 'SELECTED'];
export const AUTHENTICATED: SessionState[] = ['AUTHENTICATED', 'SELECTED'];
export const SELECTED: SessionState[] = ['SELECTED'];

export interface CommandContext {
  session: ImapSession;
  tag: string;
  /** The UID form (UID FETCH, UID STORE...): sequence sets name UIDs. */
  uid: boolean;
}

/** The tagged OK: its response code and text. */
export interface CommandDone {
  code?: string;
  text?: string;
  /** Runs after the tagged reply is written (STARTTLS's handshake, LOGOUT's close). */
  after?: () => Promise<void>;
}

export interface ImapCommand<Input = unknown> {
  name: string;
  states: SessionState[];
  /** Also registered as "UID <name>". */
  hasUidForm?: boolean;
  /**
   * RFC 3501 7.4.1: EXPUNGE responses may not be sent while FETCH, STORE or
   * SEARCH (by sequence number) runs, since they would shift the numbers.
   */
  holdsExpunges?: boolean;
  parse(args: ArgumentReader, context: CommandContext): Input;
  handle(context: CommandContext, input: Input): Promise<CommandDone | void>;
}

/** Ties the input type of parse to handle's. */
export function defineCommand<Input>(command: ImapCommand<Input>): ImapCommand<Input> {
  return command;
}
