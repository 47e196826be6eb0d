// GETQUOTA and GETQUOTAROOT (RFC 9208), authenticated: one quota root ""
// per account, STORAGE in units of 1024 octets. SETQUOTA is for admins
// (mailctl), not for IMAP.
import { getQuota } from '../../store/quota.ts';
import { no } from '../imap-error.ts';
import { parseMailboxArgument } from '../mailbox-argument.ts';
import { findMailbox } from '../../store/mailboxes.ts';
import { mailboxToWire } from '../parser/mailbox-name.ts';
import { str } from '../parser/response.ts';
import type { ImapSession } from '../imap-session.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

async function sendQuota(session: ImapSession): Promise<void> {
  const { usedBytes, quotaBytes } = await getQuota(session.store, session.account!.id);
  session.untagged('QUOTA', str(''), ['STORAGE', Math.ceil(usedBytes / 1024), Math.floor(quotaBytes / 1024)]);
}

export const getQuotaCommand = defineCommand({
  name: 'GETQUOTA',
  states: AUTHENTICATED,
  parse(args) {
    const root = args.astring('quota root');
    args.end();
    return root;
  },
  async handle({ session }, root) {
    if (root !== '') throw no('NONEXISTENT', 'No such quota root');
    await sendQuota(session);
  },
});

export const getQuotaRootCommand = defineCommand({
  name: 'GETQUOTAROOT',
  states: AUTHENTICATED,
  parse: parseMailboxArgument,
  async handle({ session }, name) {
    const mailbox = await findMailbox(session.store, session.account!.id, name);
    if (!mailbox) throw no('NONEXISTENT', `No mailbox ${name}`);
    session.untagged('QUOTAROOT', str(mailboxToWire(mailbox.name, session.utf8)), str(''));
    await sendQuota(session);
  },
});
