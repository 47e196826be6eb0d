// Every POP3 command by keyword, and the one place that checks a command line
// against the session's state and the command's argument count.
import type { Pop3Command, Pop3State } from './command.ts';
import { authCommand } from './auth.ts';
import { capaCommand } from './capa.ts';
import { deleCommand } from './dele.ts';
import { listCommand } from './list.ts';
import { noopCommand } from './noop.ts';
import { passCommand } from './pass.ts';
import { quitCommand } from './quit.ts';
import { retrCommand } from './retr.ts';
import { rsetCommand } from './rset.ts';
import { statCommand } from './stat.ts';
import { stlsCommand } from './stls.ts';
import { topCommand } from './top.ts';
import { uidlCommand } from './uidl.ts';
import { userCommand } from './user.ts';

const COMMANDS = new Map<string, Pop3Command>(
  [capaCommand, userCommand, passCommand, authCommand, stlsCommand, statCommand, listCommand, uidlCommand, retrCommand, topCommand, deleCommand, noopCommand, rsetCommand, quitCommand].map((c) => [c.name, c]),
);

export type ParsedCommand =
  | { ok: true; command: Pop3Command; args: string[] }
  | { ok: false; error: string };

const plural = (n: number) => (n === 1 ? '' : 's');

/** Checks one command line against the table for the session's state. Pure, for unit tests. */
export function parseCommand(line: string, state: Pop3State): ParsedCommand {
  const space = line.indexOf(' ');
  const keyword = (space === -1 ? line : line.slice(0, space)).toUpperCase();
  const rest = space === -1 ? '' : line.slice(space + 1);
  const command = COMMANDS.get(keyword);
  if (!command) return { ok: false, error: 'Unknown command' };
  const { name, minArgs, maxArgs } = command;
  if (!command.states.includes(state)) return { ok: false, error: `${name} is not allowed in the ${state} state` };
  const args = command.restOfLine ? (rest === '' ? [] : [rest]) : rest.split(' ').filter((a) => a !== '');
  if (args.length < minArgs) return { ok: false, error: `${name} needs ${minArgs === maxArgs ? minArgs : `at least ${minArgs}`} argument${plural(minArgs)}` };
  if (args.length > maxArgs) return { ok: false, error: `${name} takes ${maxArgs === 0 ? 'no' : `at most ${maxArgs}`} argument${plural(maxArgs)}` };
  return { ok: true, command, args };
}
