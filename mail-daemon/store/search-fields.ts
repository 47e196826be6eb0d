// The header fields IMAP SEARCH matches most often (RFC 3501 6.4.4: FROM, TO,
// CC, BCC, and SENT* on Date), kept per content at delivery
// (MessageSearchFields), so that a SEARCH of a whole mailbox reads a short
// row per message instead of its header bytes. Each value is the field
// unfolded and as written (fieldValue), exactly what matching the header
// bytes would see: substrings of display names, group names and comments
// match as before.
import { fieldValue, type HeaderField } from './header-fields.ts';

/** Field name (lower case) to the values of its fields, in order; a name without fields is left out. */
export type SearchFields = Record<string, string[]>;

export const SEARCH_FIELD_NAMES: ReadonlySet<string> = new Set(['from', 'to', 'cc', 'bcc', 'date']);

/** The stored JSON of a header's search fields. */
export function searchFieldsJson(fields: HeaderField[]): string {
  const out: SearchFields = {};
  for (const name of SEARCH_FIELD_NAMES) {
    const values = headerFieldValues(fields, name);
    if (values.length > 0) out[name] = values;
  }
  return JSON.stringify(out);
}

/** The values of a field from the header's fields, as searchFieldsJson keeps them. */
export function headerFieldValues(fields: HeaderField[], name: string): string[] {
  return fields.filter((f) => f.name === name).map(fieldValue);
}
