// Reading a mailbox name argument: modified UTF-7 or UTF-8 (RFC 3501 5.1.3,
// RFC 6855 3) into the store's form, INBOX in any case being INBOX.
import { normalizeMailboxName } from '../store/mailboxes.ts';
import type { ArgumentReader } from './parser/argument-reader.ts';
import { mailboxFromWire } from './parser/mailbox-name.ts';
import type { ImapSession } from './imap-session.ts';

/** The name as given, decoded; checked by the store when used. */
export function readMailboxName(args: ArgumentReader, session: ImapSession, what = 'mailbox name'): string {
  const name = mailboxFromWire(args.astringBytes(what), session.utf8);
  return name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
}

/** The parse() of commands whose one argument is a mailbox name (CREATE, DELETE, SUBSCRIBE...). */
export function parseMailboxArgument(args: ArgumentReader, { session }: { session: ImapSession }): string {
  const name = readMailboxName(args, session);
  args.end();
  return name;
}

/** A name for CREATE/RENAME: a trailing delimiter is dropped (RFC 3501 6.3.3), the rest checked by the store. */
export function newMailboxName(name: string): string {
  return normalizeMailboxName(name.endsWith('/') ? name.slice(0, -1) : name);
}
