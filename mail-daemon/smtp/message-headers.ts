// Just enough header handling for the SMTP pipeline on raw bytes: read a
// field, and add fields at the top without touching the rest of the message
// (which must stay byte-for-byte what the sender signed).
import { createRequire } from 'node:module';
import { prependInPlace } from '../limits/incoming-bytes.ts';

const require = createRequire(import.meta.url);
const addressparser = require('nodemailer/lib/addressparser') as (value: string) => { address?: string; name?: string; group?: unknown[] }[];

const MAX_HEADER_BYTES = 1024 * 1024;

/** The header block as latin1 text (bytes preserved), without the blank line. */
export function headerText(raw: Buffer): string {
  const limit = Math.min(raw.length, MAX_HEADER_BYTES);
  let end = raw.indexOf('\r\n\r\n');
  const lfEnd = raw.indexOf('\n\n');
  if (end < 0 || (lfEnd >= 0 && lfEnd < end)) end = lfEnd;
  return raw.subarray(0, end < 0 ? limit : Math.min(end, limit)).toString('latin1');
}

/** Every value of a header field, unfolded, in order. */
export function headerValues(raw: Buffer | string, name: string): string[] {
  const text = typeof raw === 'string' ? raw : headerText(raw);
  const unfolded = text.replace(/\r?\n([ \t])/g, '$1');
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) values.push(line.slice(colon + 1).trim());
  }
  return values;
}

/** Lower-case addresses in an address header value (groups flattened). */
export function addressesIn(value: string): string[] {
  const out: string[] = [];
  const walk = (list: { address?: string; group?: unknown[] }[]) => {
    for (const entry of list) {
      if (entry.group) walk(entry.group as { address?: string; group?: unknown[] }[]);
      else if (entry.address) out.push(entry.address.toLowerCase());
    }
  };
  walk(addressparser(value));
  return out;
}

/** The message with header fields (full "Name: value" lines) added at the top; in the room in front of it when it has some (incoming-bytes.ts), else a copy. */
export function prependHeaders(raw: Buffer, fields: string[]): Buffer {
  if (fields.length === 0) return raw;
  const head = Buffer.from(fields.map((f) => (f.endsWith('\r\n') ? f : `${f}\r\n`)).join(''), 'utf8');
  return prependInPlace(raw, head) ?? Buffer.concat([head, raw]);
}
