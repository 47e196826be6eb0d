// The value a message sorts by for each SORT key (RFC 5256 3, RFC 5957), from
// what the store keeps: the row's internal date, sent date (Date field, read
// at delivery), size and decoded subject, and for the address keys the
// stored envelope's first address, which keeps group names and case as
// written. Text values are case-mapped (unicode-casemap.ts).
import type { EnvelopeValue } from '../../store/envelope.ts';
import type { StoredMessage } from '../../store/messages.ts';
import { decodeWords } from '../search.ts';
import { baseSubject } from './base-subject.ts';
import type { SortKey } from './sort-program.ts';
import { casemapKey } from './unicode-casemap.ts';

export const ADDRESS_KEYS: SortKey[] = ['CC', 'FROM', 'TO', 'DISPLAYFROM', 'DISPLAYTO'];

/** RFC 5256 2.2 sent date: the Date field, else the internal date. */
export function sentDate(message: Pick<StoredMessage, 'sentDate' | 'internalDate'>): number {
  return (message.sentDate ?? message.internalDate).getTime();
}

/** ENVELOPE positions of From, To and Cc (RFC 3501 7.4.2). */
const ENVELOPE_FIELD = { FROM: 2, DISPLAYFROM: 2, TO: 5, DISPLAYTO: 5, CC: 6 } as const;

/**
 * RFC 5256 3: FROM, TO and CC sort by the addr-mailbox (local part) of the
 * field's first address; RFC 5957 DISPLAYFROM and DISPLAYTO by its decoded
 * display name, or the address where there is none. A group's first entry
 * is its name (the ENVELOPE's group start), as in Dovecot.
 */
function addressValue(key: keyof typeof ENVELOPE_FIELD, envelope: EnvelopeValue[] | undefined): string {
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

export function sortValue(key: SortKey, message: StoredMessage, envelope: EnvelopeValue[] | undefined): number | string {
  switch (key) {
    case 'ARRIVAL':
      return message.internalDate.getTime();
    case 'DATE':
      return sentDate(message);
    case 'SIZE':
      return message.size;
    case 'SUBJECT':
      return casemapKey(baseSubject(message.subject).text);
    default:
      return casemapKey(addressValue(key, envelope));
  }
}
