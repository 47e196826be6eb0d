// APPEND (RFC 3501 6.3.11) with flags and date, answering APPENDUID (RFC 4315)
// and OVERQUOTA (RFC 5530) or TRYCREATE; authenticated or selected.
import { deliverMessage } from '../../store/deliver.ts';
import { assertFlagLimit } from '../flag-limit.ts';
import { normalizeFlags } from '../../store/flags.ts';
import { findMailbox } from '../../store/mailboxes.ts';
import { parseImapDate } from '../imap-date.ts';
import { bad, no } from '../imap-error.ts';
import { readMailboxName } from '../mailbox-argument.ts';
import { atomsOf } from '../parser/argument-reader.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export const appendCommand = defineCommand({
  name: 'APPEND',
  states: AUTHENTICATED,
  parse(args, { session }) {
    const mailbox = readMailboxName(args, session);
    const flagTokens = args.optionalList();
    const flags = normalizeFlags(atomsOf(flagTokens ?? [], 'flag'));
    assertFlagLimit(flags);
    let date: Date | undefined;
    if (args.remaining > 1) date = parseImapDate(args.string('date-time').toString('latin1'));
    const message = args.string('message literal');
    args.end();
    return { mailbox, flags, date, message };
  },
  async handle({ session }, { mailbox: name, flags, date, message }) {
    if (message.length === 0) throw bad('Empty message');
    // The reader let a little more through for the other arguments (imap-session.ts).
    if (message.length > session.options.maxMessageSize) throw no('TOOBIG', `Message of ${message.length} bytes is too big`);
    const accountId = session.account!.id;
    const mailbox = await findMailbox(session.store, accountId, name);
    // RFC 3501 6.3.11: TRYCREATE tells the client that CREATE would help.
    if (!mailbox) throw no('TRYCREATE', `No mailbox ${name}`);
    const [copy] = await deliverMessage(session.store, message, [{ accountId, mailboxId: mailbox.id, flags }], { internalDate: date, enforceQuota: true });
    return { code: `APPENDUID ${copy.uidValidity} ${copy.uid}`, text: 'APPEND completed' };
  },
});
