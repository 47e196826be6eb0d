// COPY and UID COPY (RFC 3501 6.4.7), selected, answering COPYUID (RFC 4315),
// TRYCREATE for a missing target and OVERQUOTA when the copies do not fit.
import type { Mailbox } from '../../../prisma/generated/sqlite/client.ts';
import { copyMessages, type CopyResult } from '../../store/copy-move.ts';
import { findMailbox } from '../../store/mailboxes.ts';
import { no } from '../imap-error.ts';
import { readMailboxName } from '../mailbox-argument.ts';
import { formatSequenceSet, type SequenceSet } from '../parser/sequence-set.ts';
import type { ArgumentReader } from '../parser/argument-reader.ts';
import type { ImapSession } from '../imap-session.ts';
import { SELECTED, defineCommand, type CommandContext } from './command.ts';

export interface TransferInput {
  set: SequenceSet;
  mailbox: string;
}

/** COPY and MOVE take the same arguments: a set and a target mailbox. */
export function parseTransfer(args: ArgumentReader, { session }: CommandContext): TransferInput {
  const set = args.sequenceSet();
  const mailbox = readMailboxName(args, session);
  args.end();
  return { set, mailbox };
}

/** The UIDs named (not expunged) and the target mailbox, or NO [TRYCREATE] (RFC 3501 6.4.7). */
export async function resolveTransfer(session: ImapSession, input: TransferInput, uid: boolean): Promise<{ uids: number[]; target: Mailbox }> {
  const selected = session.selected!;
  const uids = selected.resolve(input.set, uid).filter((u) => !selected.isExpunged(u));
  const target = await findMailbox(session.store, session.account!.id, input.mailbox);
  if (!target) throw no('TRYCREATE', `No mailbox ${input.mailbox}`);
  return { uids, target };
}

/** The COPYUID response code, or null when nothing was copied. */
export function copyUidCode(result: CopyResult): string | null {
  if (result.uidMap.length === 0) return null;
  return `COPYUID ${result.uidValidity} ${formatSequenceSet(result.uidMap.map(([from]) => from))} ${formatSequenceSet(result.uidMap.map(([, to]) => to))}`;
}

export const copyCommand = defineCommand({
  name: 'COPY',
  states: SELECTED,
  hasUidForm: true,
  parse: parseTransfer,
  async handle({ session, uid }, input) {
    const { uids, target } = await resolveTransfer(session, input, uid);
    if (uids.length === 0) return;
    const code = copyUidCode(await copyMessages(session.store, session.account!.id, session.selected!.id, uids, target.id));
    return code ? { code, text: 'COPY completed' } : undefined;
  },
});
