// The values SORT and THREAD compare, kept per mailbox in this process: a
// delivered message never changes (its UID names the same bytes for as long
// as the mailbox's UIDVALIDITY holds), so after the first SORT or THREAD of a
// mailbox only messages with new UIDs are read, and the envelopes (for the
// address keys) only once per message. A few mailboxes are kept, up to a
// number of messages in all, the least recently used dropped first.
import { loadEnvelopes } from '../../store/bulk-reads.ts';
import { messageEnvelope, type EnvelopeValue } from '../../store/envelope.ts';
import { headerBytes } from '../../store/mime-structure.ts';
import type { MailStore } from '../../store/context.ts';
import { listSortFields } from '../../store/sort-fields.ts';
import { decodeWords } from '../search.ts';
import { baseSubject } from './base-subject.ts';
import { casemapKey } from './unicode-casemap.ts';

export type AddressKey = 'FROM' | 'TO' | 'CC' | 'DISPLAYFROM' | 'DISPLAYTO';

export interface SortMessage {
  uid: number;
  /** ms */
  arrival: number;
  /** RFC 5256 2.2 sent date: the Date field, else the internal date; ms. */
  sent: number;
  size: number;
  /** Decoded. */
  subject: string;
  messageId: string;
  references: string[];
  inReplyTo: string;
  contentHash: string;
  /** The case-mapped base subject, worked out when first sorted by. */
  subjectKey?: string;
  /** The case-mapped address values, read from the envelope when first sorted by. */
  addresses?: Record<AddressKey, string>;
}

interface MailboxCache {
  uidValidity: number;
  messages: Map<number, SortMessage>;
}

const MAX_MAILBOXES = 16;
/** About 300 bytes each: some 75 MB at most, whatever the mailboxes hold. */
const MAX_MESSAGES = 250_000;
/** By store (a process has one; tests may open several databases), then by mailbox id. */
const stores = new WeakMap<MailStore, Map<number, MailboxCache>>();

/** The messages of `uids` (a selected mailbox's), with address values when asked; UIDs no longer in the mailbox are left out. */
export async function sortMessages(
  store: MailStore,
  accountId: number,
  mailbox: { id: number; uidValidity: number },
  uids: number[],
  withAddresses: boolean,
): Promise<Map<number, SortMessage>> {
  let caches = stores.get(store);
  if (!caches) stores.set(store, (caches = new Map()));
  let cache = caches.get(mailbox.id);
  if (!cache || cache.uidValidity !== mailbox.uidValidity) cache = { uidValidity: mailbox.uidValidity, messages: new Map() };
  // Most recently used last.
  caches.delete(mailbox.id);
  caches.set(mailbox.id, cache);
  const messages = cache.messages;
  const missing = uids.filter((uid) => !messages.has(uid));
  if (missing.length > 0) {
    // New messages have the largest UIDs: one read from the smallest missing one on.
    for (const row of await listSortFields(store, accountId, mailbox.id, missing.reduce((a, b) => Math.min(a, b)))) {
      if (messages.has(row.uid)) continue;
      messages.set(row.uid, {
        uid: row.uid,
        arrival: row.internalDate.getTime(),
        sent: (row.sentDate ?? row.internalDate).getTime(),
        size: row.size,
        subject: row.subject,
        messageId: row.messageId,
        references: row.references.split(' ').filter(Boolean),
        inReplyTo: row.inReplyTo,
        contentHash: row.contentHash,
      });
    }
  }
  keepWithinLimits(caches);
  const out = new Map<number, SortMessage>();
  for (const uid of uids) {
    const message = messages.get(uid);
    if (message) out.set(uid, message);
  }
  if (withAddresses) {
    const unread = [...out.values()].filter((m) => !m.addresses);
    if (unread.length > 0) {
      const contents = await loadEnvelopes(store, unread.map((m) => m.contentHash));
      for (const message of unread) {
        const content = contents.get(message.contentHash);
        const envelope = content && (content.envelope ? (JSON.parse(content.envelope) as EnvelopeValue[]) : messageEnvelope(headerBytes(content.raw, content.structure)));
        message.addresses = addressValues(envelope);
      }
    }
  }
  return out;
}

/** Drops the least recently used mailboxes while there are too many, or too many messages (the one just used, too, if it alone is too big). */
function keepWithinLimits(caches: Map<number, MailboxCache>): void {
  let total = 0;
  for (const cache of caches.values()) total += cache.messages.size;
  for (const [id, cache] of caches) {
    if (caches.size <= MAX_MAILBOXES && total <= MAX_MESSAGES) break;
    caches.delete(id);
    total -= cache.messages.size;
  }
}

/** The case-mapped base subject (RFC 5256 2.1) SORT SUBJECT compares. */
export function subjectKey(message: SortMessage): string {
  message.subjectKey ??= casemapKey(baseSubject(message.subject).text);
  return message.subjectKey;
}

/** ENVELOPE positions of From, To and Cc (RFC 3501 7.4.2). */
const ENVELOPE_FIELD: Record<AddressKey, number> = { FROM: 2, DISPLAYFROM: 2, TO: 5, DISPLAYTO: 5, CC: 6 };

function addressValues(envelope: EnvelopeValue[] | undefined): Record<AddressKey, string> {
  const values = {} as Record<AddressKey, string>;
  for (const key of Object.keys(ENVELOPE_FIELD) as AddressKey[]) values[key] = casemapKey(addressValue(key, envelope));
  return values;
}

/**
 * RFC 5256 3: FROM, TO and CC sort by the addr-mailbox (local part) of the
 * field's first address; RFC 5957 DISPLAYFROM and DISPLAYTO by its decoded
 * display name, or the address where there is none. A group's first entry
 * is its name (the ENVELOPE's group start), as in Dovecot.
 */
function addressValue(key: AddressKey, envelope: EnvelopeValue[] | undefined): string {
  const list = envelope?.[ENVELOPE_FIELD[key]];
  const first = Array.isArray(list) && Array.isArray(list[0]) ? (list[0] as (string | null)[]) : null;
  if (!first) return '';
  const [name, , mailbox, host] = first;
  if (key === 'DISPLAYFROM' || key === 'DISPLAYTO') {
    const display = name ? decodeWords(name) : '';
    if (display) return display;
    return mailbox && host ? `${mailbox}@${host}` : (mailbox ?? '');
  }
  return mailbox ?? '';
}
