// Every IMAP command by name, and the one place that checks a command's state
// and arguments before its handler runs (RFC 3501 3; a command in the wrong
// state is a BAD, as a protocol error). UID forms and EXAMINE are aliases.
import { ArgumentReader } from '../parser/argument-reader.ts';
import type { ParsedCommand } from '../parser/command-parser.ts';
import { asImapError } from '../imap-error.ts';
import type { ImapSession } from '../imap-session.ts';
import type { CommandContext, ImapCommand } from './command.ts';
import { appendCommand } from './append.ts';
import { authenticateCommand } from './authenticate.ts';
import { capabilityCommand } from './capability.ts';
import { checkCommand } from './check.ts';
import { closeCommand } from './close.ts';
import { compressCommand } from './compress.ts';
import { copyCommand } from './copy.ts';
import { createCommand } from './create.ts';
import { deleteCommand } from './delete.ts';
import { enableCommand } from './enable.ts';
import { expungeCommand } from './expunge.ts';
import { fetchCommand } from './fetch.ts';
import { getQuotaCommand, getQuotaRootCommand } from './quota.ts';
import { idCommand } from './id.ts';
import { idleCommand } from './idle.ts';
import { listCommand } from './list.ts';
import { loginCommand } from './login.ts';
import { logoutCommand } from './logout.ts';
import { lsubCommand } from './lsub.ts';
import { moveCommand } from './move.ts';
import { namespaceCommand } from './namespace.ts';
import { noopCommand } from './noop.ts';
import { notifyCommand } from './notify.ts';
import { renameCommand } from './rename.ts';
import { searchCommand } from './search.ts';
import { examineCommand, selectCommand } from './select.ts';
import { sortCommand } from './sort.ts';
import { startTlsCommand } from './starttls.ts';
import { statusCommand } from './status.ts';
import { storeCommand } from './store.ts';
import { subscribeCommand, unsubscribeCommand } from './subscribe.ts';
import { threadCommand } from './thread.ts';
import { uidExpungeCommand } from './uid-expunge.ts';
import { unselectCommand } from './unselect.ts';

const COMMANDS: ImapCommand<any>[] = [
  appendCommand,
  authenticateCommand,
  capabilityCommand,
  checkCommand,
  closeCommand,
  compressCommand,
  copyCommand,
  createCommand,
  deleteCommand,
  enableCommand,
  examineCommand,
  expungeCommand,
  fetchCommand,
  getQuotaCommand,
  getQuotaRootCommand,
  idCommand,
  idleCommand,
  listCommand,
  loginCommand,
  logoutCommand,
  lsubCommand,
  moveCommand,
  namespaceCommand,
  noopCommand,
  notifyCommand,
  renameCommand,
  searchCommand,
  selectCommand,
  sortCommand,
  startTlsCommand,
  statusCommand,
  storeCommand,
  subscribeCommand,
  threadCommand,
  uidExpungeCommand,
  unselectCommand,
  unsubscribeCommand,
];

const REGISTRY = new Map<string, { command: ImapCommand<any>; uid: boolean }>();
for (const command of COMMANDS) {
  REGISTRY.set(command.name, { command, uid: command.name.startsWith('UID ') });
  if (command.hasUidForm) REGISTRY.set(`UID ${command.name}`, { command, uid: true });
}

const STATE_NAMES = { NOT_AUTHENTICATED: 'before login', AUTHENTICATED: 'without a selected mailbox', SELECTED: 'with a selected mailbox', LOGOUT: 'after logout' };

/** Runs one command and returns the status of its tagged reply. */
export async function runCommand(session: ImapSession, parsed: ParsedCommand): Promise<'OK' | 'NO' | 'BAD'> {
  const { tag, name } = parsed;
  const entry = REGISTRY.get(name);
  if (!entry) {
    session.sendText(`${tag} BAD Unknown command ${name.slice(0, 40)}`);
    return 'BAD';
  }
  const { command, uid } = entry;
  if (!command.states.includes(session.state)) {
    session.sendText(`${tag} BAD ${name} is not allowed ${STATE_NAMES[session.state]}`);
    return 'BAD';
  }
  const context: CommandContext = { session, tag, uid };
  let reply: () => string;
  let status: 'OK' | 'NO' | 'BAD' = 'OK';
  let after: (() => Promise<void>) | undefined;
  const condstoreBefore = session.condstore;
  try {
    const input = command.parse(new ArgumentReader(parsed.args), context);
    const done = (await command.handle(context, input)) ?? {};
    after = done.after;
    reply = () => {
      // RFC 7162 3.1: the command that turns CONDSTORE on in a selected mailbox (FETCH MODSEQ,
      // SEARCH MODSEQ...) tells the client the mailbox's HIGHESTMODSEQ in its tagged OK.
      const code = done.code ?? (!condstoreBefore && session.condstore && session.selected ? `HIGHESTMODSEQ ${session.selected.highestModseq}` : undefined);
      return `${tag} OK ${code ? `[${code}] ` : ''}${done.text ?? `${name} completed`}`;
    };
  } catch (error) {
    const imapError = asImapError(error);
    if (!imapError) throw error;
    status = imapError.status;
    reply = () => `${tag} ${imapError.status} ${imapError.code ? `[${imapError.code}] ` : ''}${imapError.message}`;
  }
  // RFC 3501 7.4.1 and 5.2: pending changes go out before the tagged reply,
  // EXPUNGEs only where sequence numbers may shift.
  if (session.selected && session.state === 'SELECTED') await session.refresh(!(command.holdsExpunges && !uid));
  session.sendText(reply());
  if (after) await after();
  return status;
}
