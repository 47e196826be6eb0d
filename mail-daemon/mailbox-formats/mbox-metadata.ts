// What an mbox keeps about a message besides its bytes: the flags in the
// header fields that mail programs write into the file (Status and X-Status
// by mutt, pine and Dovecot; X-Keywords by Dovecot; X-Mozilla-Status and
// X-Mozilla-Keys by Thunderbird), and the date of its From_ line. Those
// fields are the mailbox's bookkeeping, not part of the message: Dovecot
// hides the same list from IMAP clients, and so the import leaves them out.
import { splitHeaderFields, fieldValue } from '../store/header-fields.ts';

const BOOKKEEPING = new Set([
  'status',
  'x-status',
  'x-keywords',
  'x-uid',
  'x-imap',
  'x-imapbase',
  'content-length',
  'x-mozilla-status',
  'x-mozilla-status2',
  'x-mozilla-keys',
]);

// Thunderbird's nsMsgMessageFlags.
const MOZILLA_FLAGS: [number, string][] = [
  [0x0001, '\\Seen'],
  [0x0002, '\\Answered'],
  [0x0004, '\\Flagged'],
  [0x0008, '\\Deleted'],
  [0x1000, '$Forwarded'],
];

// Status: R read (O only means "not new"); X-Status: A answered, F flagged, T draft, D deleted.
const STATUS_LETTERS: Record<string, Record<string, string>> = {
  status: { R: '\\Seen', D: '\\Deleted' },
  'x-status': { A: '\\Answered', F: '\\Flagged', T: '\\Draft', D: '\\Deleted' },
};

export interface MboxEntry {
  /** The message without the bookkeeping fields. */
  raw: Buffer;
  /** IMAP flags and keywords. */
  flags: string[];
  /** UW-IMAP and pine keep the folder's UIDs in a first message that is not mail. */
  folderData: boolean;
}

export function readMboxEntry(message: Buffer): MboxEntry {
  const bodyAt = headerEnd(message);
  const fields = splitHeaderFields(message.subarray(0, bodyAt));
  const flags = new Set<string>();
  const cut: [number, number][] = [];
  let folderData = false;
  for (const field of fields) {
    if (!BOOKKEEPING.has(field.name)) continue;
    const start = field.raw.byteOffset - message.byteOffset;
    cut.push([start, start + field.raw.length]);
    const value = fieldValue(field);
    const letters = STATUS_LETTERS[field.name];
    if (letters) for (const letter of value) if (letters[letter]) flags.add(letters[letter]);
    if (field.name === 'x-keywords' || field.name === 'x-mozilla-keys') for (const keyword of value.split(/[\s,]+/)) if (keyword) flags.add(keyword);
    if (field.name === 'x-mozilla-status' && /^[0-9a-f]{1,8}$/i.test(value)) {
      const bits = parseInt(value, 16);
      for (const [bit, flag] of MOZILLA_FLAGS) if (bits & bit) flags.add(flag);
    }
    if (field.name === 'x-imap') folderData = true;
  }
  const kept: Buffer[] = [];
  let from = 0;
  for (const [start, end] of cut) {
    kept.push(message.subarray(from, start));
    from = end;
  }
  kept.push(message.subarray(from));
  return { raw: cut.length ? Buffer.concat(kept) : message, flags: [...flags], folderData };
}

function headerEnd(message: Buffer): number {
  if (message[0] === 0x0a) return 0;
  if (message[0] === 0x0d && message[1] === 0x0a) return 0;
  const lf = message.indexOf('\n\n');
  const crlf = message.indexOf('\r\n\r\n');
  const ends = [lf === -1 ? -1 : lf + 1, crlf === -1 ? -1 : crlf + 2].filter((n) => n >= 0);
  return ends.length ? Math.min(...ends) : message.length;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// asctime() as the From_ line has it, with the zone some writers add before or after the year.
const FROM_DATE = /(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) +(\d{1,2}):(\d{2})(?::(\d{2}))? +(?:([+-]\d{4}|[A-Z]{3,4}) +)?(\d{4})(?: +([+-]\d{4}))?/;

/**
 * The date of a From_ line ("sender Mon Nov 30 15:31:38 2026"), or null.
 * Without a zone it is local time, as ctime() wrote it.
 */
export function fromLineDate(separator: string): Date | null {
  const match = FROM_DATE.exec(separator);
  if (!match) return null;
  const [, month, day, hour, minute, second, zoneBefore, year, zoneAfter] = match;
  const parts = [Number(year), MONTHS.indexOf(month), Number(day), Number(hour), Number(minute), Number(second ?? 0)] as const;
  const zone = zoneAfter ?? zoneBefore;
  let date: Date;
  if (zone && /^[+-]\d{4}$/.test(zone)) {
    const offset = (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3)));
    date = new Date(Date.UTC(...parts) - offset * 60_000);
  } else if (zone === 'UTC' || zone === 'GMT' || zone === 'UT') {
    date = new Date(Date.UTC(...parts));
  } else {
    date = new Date(...parts);
  }
  return Number.isNaN(date.getTime()) ? null : date;
}
