// The POP3 commands, the states each is allowed in and the shape of its
// arguments. The session checks a command line against this table before
// any handler runs, so a handler never checks its own state or argument count.
export type Pop3State = 'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE';

export interface CommandSpec {
  states: Pop3State[];
  minArgs: number;
  maxArgs: number;
  /** Everything after the keyword is one argument, spaces included (a password). */
  restOfLine?: boolean;
}

const AUTH: Pop3State[] = ['AUTHORIZATION'];
const TRANS: Pop3State[] = ['TRANSACTION'];
const BOTH: Pop3State[] = ['AUTHORIZATION', 'TRANSACTION'];

export const COMMANDS = {
  // RFC 2449 5: in either state.
  CAPA: { states: BOTH, minArgs: 0, maxArgs: 0 },
  // RFC 1939 7 (the optional commands USER and PASS).
  USER: { states: AUTH, minArgs: 1, maxArgs: 1 },
  PASS: { states: AUTH, minArgs: 1, maxArgs: 1, restOfLine: true },
  // RFC 5034 4; AUTH without a mechanism lists them (RFC 1734 practice, used by fetchmail).
  AUTH: { states: AUTH, minArgs: 0, maxArgs: 2 },
  // RFC 2595 4.
  STLS: { states: AUTH, minArgs: 0, maxArgs: 0 },
  // RFC 1939 5 and 7.
  STAT: { states: TRANS, minArgs: 0, maxArgs: 0 },
  LIST: { states: TRANS, minArgs: 0, maxArgs: 1 },
  UIDL: { states: TRANS, minArgs: 0, maxArgs: 1 },
  RETR: { states: TRANS, minArgs: 1, maxArgs: 1 },
  TOP: { states: TRANS, minArgs: 2, maxArgs: 2 },
  DELE: { states: TRANS, minArgs: 1, maxArgs: 1 },
  NOOP: { states: TRANS, minArgs: 0, maxArgs: 0 },
  RSET: { states: TRANS, minArgs: 0, maxArgs: 0 },
  // RFC 1939 4 and 6: in AUTHORIZATION it just ends the session, in TRANSACTION it enters UPDATE.
  QUIT: { states: BOTH, minArgs: 0, maxArgs: 0 },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export type ParsedCommand =
  | { ok: true; name: CommandName; args: string[] }
  | { ok: false; error: string };

/** Checks one command line against the table for the session's state. Pure, for unit tests. */
export function parseCommand(line: string, state: Pop3State): ParsedCommand {
  const space = line.indexOf(' ');
  const keyword = (space === -1 ? line : line.slice(0, space)).toUpperCase();
  const rest = space === -1 ? '' : line.slice(space + 1);
  if (!Object.hasOwn(COMMANDS, keyword)) return { ok: false, error: 'Unknown command' };
  const name = keyword as CommandName;
  const spec: CommandSpec = COMMANDS[name];
  if (!spec.states.includes(state)) return { ok: false, error: `${name} is not allowed in the ${state} state` };
  const args = spec.restOfLine ? (rest === '' ? [] : [rest]) : rest.split(' ').filter((a) => a !== '');
  if (args.length < spec.minArgs) return { ok: false, error: `${name} needs ${spec.minArgs === spec.maxArgs ? spec.minArgs : `at least ${spec.minArgs}`} argument${spec.minArgs === 1 ? '' : 's'}` };
  if (args.length > spec.maxArgs) return { ok: false, error: `${name} takes ${spec.maxArgs === 0 ? 'no' : `at most ${spec.maxArgs}`} argument${spec.maxArgs === 1 ? '' : 's'}` };
  return { ok: true, name, args };
}
