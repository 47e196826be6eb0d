// The envelope of a message (RFC 3501 7.4.2): date, subject, from, sender,
// reply-to, to, cc, bcc, in-reply-to and message-id from its header section,
// as in the message (encoded words stay encoded, the client decodes them).
// It is worked out once when the content is stored, and kept as JSON in
// which every string is an IMAP string and null is NIL.
import { createRequire } from 'node:module';
import { firstValue, splitHeaderFields } from './header-fields.ts';

export type EnvelopeValue = string | null | EnvelopeValue[];

interface ParsedAddress {
  name: string;
  address?: string;
  group?: ParsedAddress[];
}

// nodemailer ships no types; its address parser is the one piece used here.
const addressparser = createRequire(import.meta.url)('nodemailer/lib/addressparser') as (value: string) => ParsedAddress[];

function address(entry: ParsedAddress): EnvelopeValue {
  const at = entry.address?.lastIndexOf('@') ?? -1;
  const mailbox = at === -1 ? entry.address || entry.name : entry.address!.slice(0, at);
  // A NIL host would read as a group marker; write a placeholder as Dovecot does.
  const host = at === -1 ? 'MISSING_DOMAIN' : entry.address!.slice(at + 1);
  return [entry.name || null, null, mailbox, host];
}

/** An address list, or NIL when the field is absent or empty. */
function addressList(value: string | null): EnvelopeValue {
  if (!value) return null;
  let parsed: ParsedAddress[];
  try {
    parsed = addressparser(value);
  } catch {
    return null;
  }
  const out: EnvelopeValue[] = [];
  for (const entry of parsed) {
    if (entry.group) {
      // RFC 3501 7.4.2: a group is (NIL NIL "name" NIL), its members, then (NIL NIL NIL NIL).
      out.push([null, null, entry.name, null], ...entry.group.map(address), [null, null, null, null]);
    } else if (entry.address || entry.name) {
      out.push(address(entry));
    }
  }
  return out.length > 0 ? out : null;
}

/** The envelope of a header section. */
export function messageEnvelope(header: Buffer): EnvelopeValue[] {
  const fields = splitHeaderFields(header);
  const value = (name: string) => firstValue(fields, name);
  const from = addressList(value('from'));
  return [
    value('date'),
    value('subject'),
    from,
    addressList(value('sender')) ?? from,
    addressList(value('reply-to')) ?? from,
    addressList(value('to')),
    addressList(value('cc')),
    addressList(value('bcc')),
    value('in-reply-to'),
    value('message-id'),
  ];
}
