// IMAP date-time (RFC 3501 9): "17-Jul-1996 02:44:25 -0700", for
// INTERNALDATE in FETCH and the date argument of APPEND.
import { ImapParseError } from './parser/command-parser.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const two = (n: number) => String(n).padStart(2, '0');

/** Written in UTC: the stored instant is what matters, not the zone it came in. */
export function formatImapDate(date: Date): string {
  return `${two(date.getUTCDate())}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

export function parseImapDate(text: string): Date {
  const match = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  const month = match ? MONTHS.findIndex((m) => m.toLowerCase() === match[2].toLowerCase()) : -1;
  if (!match || month < 0) throw new ImapParseError('invalid date-time');
  const [, day, , year, hour, minute, second, sign, zoneHours, zoneMinutes] = match;
  const offset = (sign === '-' ? -1 : 1) * (Number(zoneHours) * 60 + Number(zoneMinutes));
  const utc = Date.UTC(Number(year), month, Number(day), Number(hour), Number(minute), Number(second)) - offset * 60_000;
  const date = new Date(utc);
  // A day the month does not have (31-Feb) would roll over into the next one.
  const dayExists = new Date(Date.UTC(Number(year), month, Number(day))).getUTCMonth() === month;
  if (!Number.isFinite(utc) || !dayExists || date.getUTCFullYear() < 1970 || Number(day) > 31 || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 60) {
    throw new ImapParseError('invalid date-time');
  }
  return date;
}
