// APPEND (RFC 3501 6.3.11) with flags and date, and MULTIAPPEND (RFC 3502):
// several messages in one command, stored all or none. APPENDUID (RFC 4315)
// names the new UIDs as one set; OVERQUOTA (RFC 5530) holds for their sum,
// TRYCREATE as in RFC 3501; authenticated or selected. The literals of one
// command are bounded together by the session (imap-session.ts).
import { deliverMessages } from '../../store/deliver.ts';
import { assertFlagLimit } from '../flag-limit.ts';
import { normalizeFlags } from '../../store/flags.ts';
import { findMailbox } from '../../store/mailboxes.ts';
import { parseImapDate } from '../imap-date.ts';
import { no } from '../imap-error.ts';
import { readMailboxName } from '../mailbox-argument.ts';
import { atomsOf, type ArgumentReader } from '../parser/argument-reader.ts';
import { formatSequenceSet } from '../parser/sequence-set.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

interface AppendMessage {
  flags: string[];
  date?: Date;
  message: Buffer;
}

/** RFC 3502: append-message = append-opts SP append-data, append-opts = [SP flag-list] [SP date-time]. */
function readAppendMessage(args: ArgumentReader): AppendMessage {
  const flags = normalizeFlags(atomsOf(args.optionalList() ?? [], 'flag'));
  assertFlagLimit(flags);
  // The date is a quoted string with the message still to follow.
  const next = args.peek();
  const date = next?.type === 'string' && !next.literal && args.remaining > 1 ? parseImapDate(args.string('date-time').toString('latin1')) : undefined;
  return { flags, date, message: args.string('message literal') };
}

export const appendCommand = defineCommand({
  name: 'APPEND',
  states: AUTHENTICATED,
  parse(args, { session }) {
    const mailbox = readMailboxName(args, session);
    const messages = [readAppendMessage(args)];
    while (!args.done) messages.push(readAppendMessage(args));
    return { mailbox, messages };
  },
  async handle({ session }, { mailbox: name, messages }) {
    // RFC 3502 6.3.11: a zero-length message is an error that cancels the whole APPEND, with NO.
    if (messages.some(({ message }) => message.length === 0)) throw no(null, 'Zero-length message literal, APPEND cancelled');
    // The reader let a little more through for the other arguments (imap-session.ts).
    const tooBig = messages.find(({ message }) => message.length > session.options.maxMessageSize);
    if (tooBig) throw no('TOOBIG', `Message of ${tooBig.message.length} bytes is too big`);
    const accountId = session.account!.id;
    const mailbox = await findMailbox(session.store, accountId, name);
    // RFC 3501 6.3.11: TRYCREATE tells the client that CREATE would help.
    if (!mailbox) throw no('TRYCREATE', `No mailbox ${name}`);
    const copies = await deliverMessages(
      session.store,
      messages.map(({ message, flags, date }) => ({ message, targets: [{ accountId, mailboxId: mailbox.id, flags }], options: { internalDate: date, enforceQuota: true } })),
    );
    const uids = copies.map(([copy]) => copy.uid);
    return { code: `APPENDUID ${copies[0][0].uidValidity} ${formatSequenceSet(uids)}`, text: 'APPEND completed' };
  },
});
