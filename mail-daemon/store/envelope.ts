// The envelope of a message (RFC 3501 7.4.2): date, subject, from, sender,
// reply-to, to, cc, bcc, in-reply-to and message-id from its header section,
// as in the message (encoded words stay encoded, the client decodes them).
// It is worked out once when the content is stored, and kept as JSON in
// which every string is an IMAP string and null is NIL.
import { parseAddressList, type ParsedMailbox } from './address-list.ts';
import { firstValue, splitHeaderFields, type HeaderField } from './header-fields.ts';

export type EnvelopeValue = string | null | EnvelopeValue[];

function address(entry: ParsedMailbox): EnvelopeValue {
  return [entry.name, entry.route, entry.mailbox, entry.host];
}

/** An address list, or NIL when the field is absent or empty. */
function addressList(value: string | null): EnvelopeValue {
  if (!value) return null;
  const out: EnvelopeValue[] = [];
  for (const entry of parseAddressList(value)) {
    if (entry.kind === 'group') {
      // RFC 3501 7.4.2: a group is (NIL NIL "name" NIL), its members, then (NIL NIL NIL NIL).
      out.push([null, null, entry.name, null], ...entry.members.map(address), [null, null, null, null]);
    } else {
      out.push(address(entry));
    }
  }
  return out.length > 0 ? out : null;
}

/** The envelope of a header section. */
export function messageEnvelope(header: Buffer): EnvelopeValue[] {
  return envelopeOfFields(splitHeaderFields(header));
}

/** The envelope of a header section already split into fields (splitHeaderFields). */
export function envelopeOfFields(fields: HeaderField[]): EnvelopeValue[] {
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
