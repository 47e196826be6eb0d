// Matching mailbox names against LIST patterns (RFC 3501 6.3.8: "*" matches
// anything, "%" anything but the delimiter) and the attributes of each match
// (RFC 5258 CHILDREN, RFC 6154 SPECIAL-USE).
import type { Mailbox } from '../../prisma/generated/sqlite/client.ts';
import { DELIMITER, listMailboxes } from '../store/mailboxes.ts';
import type { ImapSession } from './imap-session.ts';
import { mailboxToWire } from './parser/mailbox-name.ts';
import { str, type ResponseValue } from './parser/response.ts';

/** A matcher for reference + pattern; INBOX matches in any case (RFC 3501 5.1). */
export function patternMatcher(reference: string, pattern: string): (name: string) => boolean {
  let full = reference + pattern;
  if (/^inbox(\/|$)/i.test(full)) full = 'INBOX' + full.slice(5);
  const source = [...full].map((c) => (c === '*' ? '.*' : c === '%' ? '[^/]*' : c.replace(/[\\^$.+?()[\]{}|]/g, '\\$&'))).join('');
  const regex = new RegExp(`^${source}$`, 'su');
  return (name) => regex.test(name);
}

export interface ListedMailbox {
  mailbox: Mailbox;
  attributes: string[];
}

/** Attributes of each mailbox: children, special use, and \Subscribed when given the subscribed names. */
export function withAttributes(mailboxes: Mailbox[], options: { subscribed: Set<string> | null }): ListedMailbox[] {
  const names = new Set(mailboxes.map((m) => m.name));
  const parents = new Set<string>();
  for (const name of names) {
    const cut = name.lastIndexOf(DELIMITER);
    if (cut > 0) parents.add(name.slice(0, cut));
  }
  return mailboxes.map((mailbox) => {
    const attributes = [parents.has(mailbox.name) ? '\\HasChildren' : '\\HasNoChildren'];
    // \Inbox is this store's marker, not an RFC 6154 attribute.
    if (mailbox.specialUse && mailbox.specialUse !== '\\Inbox') attributes.push(mailbox.specialUse);
    if (options.subscribed?.has(mailbox.name)) attributes.push('\\Subscribed');
    return { mailbox, attributes };
  });
}

/**
 * One mailbox's LIST response data (attributes, delimiter, name), as SELECT
 * sends it to a rev2 client (RFC 9051 6.3.2) and RENAME with OLDNAME (6.3.6).
 */
export async function listResponseFor(session: ImapSession, mailbox: Mailbox): Promise<ResponseValue[]> {
  const listed = withAttributes(await listMailboxes(session.store, session.account!.id), { subscribed: null }).find((l) => l.mailbox.id === mailbox.id);
  return [listed?.attributes ?? [], str(DELIMITER), str(mailboxToWire(mailbox.name, session.utf8))];
}
