// The shape of one POP3 command: the states it is allowed in (RFC 1939 3),
// how many arguments it takes, and its handler. The registry checks a line
// against this before any handler runs, so a handler never checks its own
// state or argument count.
import type { Pop3Session } from '../pop3-session.ts';

export type Pop3State = 'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE';

export const AUTHORIZATION: Pop3State[] = ['AUTHORIZATION'];
export const TRANSACTION: Pop3State[] = ['TRANSACTION'];
export const EITHER_STATE: Pop3State[] = ['AUTHORIZATION', 'TRANSACTION'];

export interface Pop3Command {
  name: string;
  states: Pop3State[];
  minArgs: number;
  maxArgs: number;
  /** Everything after the keyword is one argument, spaces included (a password). */
  restOfLine?: boolean;
  handle(session: Pop3Session, args: string[]): void | Promise<void>;
}
