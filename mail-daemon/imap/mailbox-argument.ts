// Reading a mailbox name argument: modified UTF-7 or UTF-8 (RFC 3501 5.1.3,
// RFC 6855 3) into the store's form, INBOX in any case being INBOX.
import { normalizeMailboxName } from '../store/mailboxes.ts';
import { no } from './imap-error.ts';
import { ImapParseError } from './parser/command-parser.ts';
import type { ArgumentReader } from './parser/argument-reader.ts';
import { looseMailboxFromWire, mailboxFromWire } from './parser/mailbox-name.ts';
import type { ImapSession } from './imap-session.ts';

const inboxInAnyCase = (name: string) => (name.toUpperCase() === 'INBOX' ? 'INBOX' : name);

/** The name as given, decoded (or as written when it does not decode); checked by the store when used. */
export function readMailboxName(args: ArgumentReader, session: ImapSession, what = 'mailbox name'): string {
  return inboxInAnyCase(looseMailboxFromWire(args.astringBytes(what), session.utf8));
}

/** A name for a mailbox to be made (CREATE, RENAME's target): it must decode (RFC 3501 5.1.3). */
export function readNewMailboxName(args: ArgumentReader, session: ImapSession, what = 'mailbox name'): string {
  const bytes = args.astringBytes(what);
  try {
    return inboxInAnyCase(mailboxFromWire(bytes, session.utf8));
  } catch (error) {
    if (error instanceof ImapParseError) throw no('CANNOT', 'Mailbox name is not valid modified UTF-7');
    throw error;
  }
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
