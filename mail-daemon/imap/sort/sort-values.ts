// The value a message sorts by for each SORT key (RFC 5256 3, RFC 5957):
// numbers for dates and sizes, case-mapped text for subjects and addresses
// (sort-fields-cache.ts works them out once per message).
import { baseSubject } from './base-subject.ts';
import type { SortMessage } from './sort-fields-cache.ts';
import type { SortKey } from './sort-program.ts';
import { casemapKey } from './unicode-casemap.ts';

export const ADDRESS_KEYS: SortKey[] = ['CC', 'FROM', 'TO', 'DISPLAYFROM', 'DISPLAYTO'];

export function sortValue(key: SortKey, message: SortMessage): number | string {
  switch (key) {
    case 'ARRIVAL':
      return message.arrival;
    case 'DATE':
      return message.sent;
    case 'SIZE':
      return message.size;
    case 'SUBJECT':
      return subjectKey(message);
    default:
      return message.addresses![key];
  }
}

/** The case-mapped base subject (RFC 5256 2.1) SORT SUBJECT compares, worked out once per message. */
function subjectKey(message: SortMessage): string {
  message.subjectKey ??= casemapKey(baseSubject(message.subject).text);
  return message.subjectKey;
}
