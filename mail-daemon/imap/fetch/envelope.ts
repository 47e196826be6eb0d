// ENVELOPE (RFC 3501 7.4.2): date, subject, from, sender, reply-to, to, cc,
// bcc, in-reply-to and message-id from a header section, as in the message
// (encoded words stay encoded, the client decodes them).
import { createRequire } from 'node:module';
import { str, type ResponseValue } from '../parser/response.ts';
import { firstValue, splitHeaderFields } from './header-fields.ts';

interface ParsedAddress {
  name: string;
  address?: string;
  group?: ParsedAddress[];
}

// nodemailer ships no types; its address parser is the one piece used here.
const addressparser = createRequire(import.meta.url)('nodemailer/lib/addressparser') as (value: string) => ParsedAddress[];

function address(entry: ParsedAddress): ResponseValue {
  const at = entry.address?.lastIndexOf('@') ?? -1;
  const mailbox = at === -1 ? entry.address || entry.name : entry.address!.slice(0, at);
  // A NIL host would read as a group marker; write a placeholder as Dovecot does.
  const host = at === -1 ? 'MISSING_DOMAIN' : entry.address!.slice(at + 1);
  return [str(entry.name || null), null, str(mailbox), str(host)];
}

/** An address list, or NIL when the field is absent or empty. */
export function addressList(value: string | null): ResponseValue {
  if (!value) return null;
  let parsed: ParsedAddress[];
  try {
    parsed = addressparser(value);
  } catch {
    return null;
  }
  const out: ResponseValue[] = [];
  for (const entry of parsed) {
    if (entry.group) {
      // RFC 3501 7.4.2: a group is (NIL NIL "name" NIL), its members, then (NIL NIL NIL NIL).
      out.push([null, null, str(entry.name), null], ...entry.group.map(address), [null, null, null, null]);
    } else if (entry.address || entry.name) {
      out.push(address(entry));
    }
  }
  return out.length > 0 ? out : null;
}

export function envelope(header: Buffer): ResponseValue[] {
  const fields = splitHeaderFields(header);
  const value = (name: string) => firstValue(fields, name);
  const from = addressList(value('from'));
  return [
    str(value('date')),
    str(value('subject')),
    from,
    addressList(value('sender')) ?? from,
    addressList(value('reply-to')) ?? from,
    addressList(value('to')),
    addressList(value('cc')),
    addressList(value('bcc')),
    str(value('in-reply-to')),
    str(value('message-id')),
  ];
}
