// The values SORT and THREAD compare, and what SEARCH matches and FETCH
// writes of a message besides its flags, kept per mailbox in this process: a
// delivered message never changes (its UID names the same bytes for as long
// as the mailbox's UIDVALIDITY holds), so after the first SORT or THREAD of a
// mailbox only messages with new UIDs are read, and the envelopes (for the
// address keys and FETCH ENVELOPE) and search fields (for SEARCH FROM, TO...)
// only once per message. A few mailboxes are kept, up to a
// number of messages in all, the least recently used dropped first.
//
// For the same reason the order of all the messages read so far under a
// list of sort criteria holds until new ones are read, and then only they
// are sorted and merged in (Dovecot keeps sort ids in its index for the same
// purpose). The criteria order every pair (ties by UID, which is sequence
// order in any view), so the order of any set of these messages, a SEARCH
// result or a session's view after expunges, is this order with the others
// left out: a SORT walks it instead of sorting.
import { loadEnvelopeJson, loadEnvelopes, loadSearchFields } from '../../store/bulk-reads.ts';
import { messageEnvelope, type EnvelopeValue } from '../../store/envelope.ts';
import { headerBytes } from '../../store/mime-structure.ts';
import type { MailStore } from '../../store/context.ts';
import type { SearchFields } from '../../store/search-fields.ts';
import { listSortFields } from '../../store/sort-fields.ts';
import { decodeWords } from '../search.ts';
import { mergeItems, sortItems, type SortCriterion } from './sort-program.ts';
import { ADDRESS_KEYS, sortValue } from './sort-values.ts';
import { casemapKey } from './unicode-casemap.ts';

export type AddressKey = 'FROM' | 'TO' | 'CC' | 'DISPLAYFROM' | 'DISPLAYTO';

export interface SortMessage {
  uid: number;
  internalDate: Date;
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
  /** The stored search fields, read when first searched; null for a content stored without them. */
  searchFields?: SearchFields | null;
  /** The stored ENVELOPE as JSON, read when first fetched; null for a content stored without one. */
  envelope?: string | null;
}

interface MailboxCache {
  uidValidity: number;
  /** By UID: an array, which for a mailbox's UIDs (mostly dense) is cheaper to look up than a Map. */
  byUid: (SortMessage | undefined)[];
  /** The messages in the order they were read: an order over the first n of them misses the rest. */
  list: SortMessage[];
  /** By criteria (e.g. "REVERSE DATE,SUBJECT"): the first n messages of `list` in that order; most recently used last. */
  orders: Map<string, SortMessage[]>;
  /** The length of the envelopes kept. */
  envelopeChars: number;
  /** By name (e.g. "THREAD REFERENCES"): the last answer, and the UIDs and numbers it was worked out for. */
  answers: Map<string, { uids: number[]; ids: number[]; answer: string }>;
}

const MAX_MAILBOXES = 16;
/** The envelopes kept in all, in characters (most are one byte each): some 32 MB. */
const MAX_ENVELOPE_CHARS = 32_000_000;
/** Orders kept per mailbox (a client uses a few lists of criteria; each costs a word per message). */
const MAX_ORDERS = 8;
/** About 300 bytes each (more once searched by address: their search fields): some 75 MB at most, whatever the mailboxes hold. */
const MAX_MESSAGES = 250_000;
/** By store (a process has one; tests may open several databases), then by mailbox id. */
const stores = new WeakMap<MailStore, Map<number, MailboxCache>>();

type SelectedMailbox = { id: number; uidValidity: number };

/** The mailbox's cache, with every message of `uids` (a selected mailbox's) that is still in the mailbox read into it. */
async function loadCache(store: MailStore, accountId: number, mailbox: SelectedMailbox, uids: number[]): Promise<MailboxCache> {
  let caches = stores.get(store);
  if (!caches) stores.set(store, (caches = new Map()));
  let cache = caches.get(mailbox.id);
  if (!cache || cache.uidValidity !== mailbox.uidValidity) cache = { uidValidity: mailbox.uidValidity, byUid: [], list: [], orders: new Map(), envelopeChars: 0, answers: new Map() };
  // Most recently used last.
  caches.delete(mailbox.id);
  caches.set(mailbox.id, cache);
  const { byUid } = cache;
  let smallestMissing = Infinity;
  for (const uid of uids) if (uid < smallestMissing && byUid[uid] === undefined) smallestMissing = uid;
  if (smallestMissing !== Infinity) {
    // New messages have the largest UIDs: one read from the smallest missing one on.
    for (const row of await listSortFields(store, accountId, mailbox.id, smallestMissing)) {
      if (byUid[row.uid] !== undefined) continue;
      const message: SortMessage = {
        uid: row.uid,
        internalDate: row.internalDate,
        arrival: row.internalDate.getTime(),
        sent: (row.sentDate ?? row.internalDate).getTime(),
        size: row.size,
        subject: row.subject,
        messageId: row.messageId,
        references: row.references.split(' ').filter(Boolean),
        inReplyTo: row.inReplyTo,
        contentHash: row.contentHash,
      };
      byUid[row.uid] = message;
      cache.list.push(message);
    }
  }
  keepWithinLimits(caches);
  return cache;
}

/** Reads the address values of the messages that lack them. */
async function loadAddresses(store: MailStore, unread: SortMessage[]): Promise<void> {
  if (unread.length === 0) return;
  const contents = await loadEnvelopes(store, unread.map((m) => m.contentHash));
  for (const message of unread) {
    const content = contents.get(message.contentHash);
    const envelope = content && (content.envelope ? (JSON.parse(content.envelope) as EnvelopeValue[]) : messageEnvelope(headerBytes(content.raw, content.structure)));
    message.addresses = addressValues(envelope);
  }
}

/**
 * The messages of `uids` (a selected mailbox's), position for position, with
 * their search fields or envelopes when asked; undefined for UIDs no longer
 * in the mailbox.
 */
export async function sortMessages(
  store: MailStore,
  accountId: number,
  mailbox: SelectedMailbox,
  uids: number[],
  options: { searchFields?: boolean; envelopes?: boolean } = {},
): Promise<(SortMessage | undefined)[]> {
  const cache = await loadCache(store, accountId, mailbox, uids);
  const out = uids.map((uid) => cache.byUid[uid]);
  if (options.envelopes) {
    const unread = out.filter((m): m is SortMessage => m !== undefined && m.envelope === undefined);
    if (unread.length > 0) {
      const stored = await loadEnvelopeJson(store, unread.map((m) => m.contentHash));
      for (const message of unread) {
        message.envelope = stored.get(message.contentHash) ?? null;
        cache.envelopeChars += message.envelope?.length ?? 0;
      }
      keepWithinLimits(stores.get(store)!);
    }
  }
  if (options.searchFields) {
    const unread = out.filter((m): m is SortMessage => m !== undefined && m.searchFields === undefined);
    if (unread.length > 0) {
      const stored = await loadSearchFields(store, unread.map((m) => m.contentHash));
      for (const message of unread) {
        const json = stored.get(message.contentHash);
        message.searchFields = json === undefined ? null : (JSON.parse(json) as SearchFields);
      }
    }
  }
  return out;
}

/**
 * The positions in `uids` (a selected mailbox's, ascending) in the order of
 * the criteria (RFC 5256 3); UIDs no longer in the mailbox are left out.
 */
export async function sortedPositions(store: MailStore, accountId: number, mailbox: SelectedMailbox, uids: number[], criteria: SortCriterion[]): Promise<number[]> {
  const cache = await loadCache(store, accountId, mailbox, uids);
  if (criteria.some((c) => ADDRESS_KEYS.includes(c.key))) {
    // Others may add messages while the envelopes are read: until none lacks them.
    for (let unread = cache.list.filter((m) => !m.addresses); unread.length > 0; unread = cache.list.filter((m) => !m.addresses)) {
      await loadAddresses(store, unread);
    }
  }
  const order = orderOf(cache, criteria);
  // Positions by UID in an array, as byUid: for dense UIDs a tenth of a Map's cost; sparse ones make it a dictionary, as a Map.
  const position: number[] = [];
  for (let i = 0; i < uids.length; i++) position[uids[i]] = i;
  const out: number[] = [];
  for (const message of order) {
    const at = position[message.uid];
    if (at !== undefined) out.push(at);
  }
  return out;
}

function sameNumbers(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * An answer worked out by `work` from the messages of `uids` (a selected
 * mailbox's, ascending; undefined for those no longer in the mailbox),
 * written with `ids` for them (UIDs or sequence numbers). The messages'
 * values never change and a UID gone from the mailbox never comes back, so
 * the same UIDs and ids give the same answer: it is kept, one per name, and
 * worked out again when either changes (Dovecot keeps a thread index for the
 * same reason).
 */
export async function keptAnswer(
  store: MailStore,
  accountId: number,
  mailbox: SelectedMailbox,
  name: string,
  uids: number[],
  ids: number[],
  work: (messages: (SortMessage | undefined)[]) => string,
): Promise<string> {
  const cache = await loadCache(store, accountId, mailbox, uids);
  const kept = cache.answers.get(name);
  if (kept && sameNumbers(kept.uids, uids) && sameNumbers(kept.ids, ids)) return kept.answer;
  const answer = work(uids.map((uid) => cache.byUid[uid]));
  cache.answers.set(name, { uids, ids, answer });
  return answer;
}

/** Every message of the cache in the criteria's order: the kept order, with messages read since sorted and merged in. */
function orderOf(cache: MailboxCache, criteria: SortCriterion[]): SortMessage[] {
  const name = criteria.map((c) => (c.reverse ? `REVERSE ${c.key}` : c.key)).join(',');
  let order = cache.orders.get(name) ?? [];
  cache.orders.delete(name);
  if (order.length < cache.list.length) {
    const item = (message: SortMessage) => ({ id: message.uid, message, values: criteria.map((c) => sortValue(c.key, message)) });
    const added = sortItems(cache.list.slice(order.length).map(item), criteria);
    order = mergeItems(order.map(item), added, criteria).map((i) => i.message);
  }
  cache.orders.set(name, order);
  if (cache.orders.size > MAX_ORDERS) cache.orders.delete(cache.orders.keys().next().value!);
  return order;
}

/** Drops the least recently used mailboxes while there are too many, or too many messages or envelopes (the one just used, too, if it alone is too big). */
function keepWithinLimits(caches: Map<number, MailboxCache>): void {
  let total = 0;
  let envelopes = 0;
  for (const cache of caches.values()) {
    total += cache.list.length;
    envelopes += cache.envelopeChars;
  }
  for (const [id, cache] of caches) {
    if (caches.size <= MAX_MAILBOXES && total <= MAX_MESSAGES && envelopes <= MAX_ENVELOPE_CHARS) break;
    caches.delete(id);
    total -= cache.list.length;
    envelopes -= cache.envelopeChars;
  }
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
