// ENVELOPE (RFC 3501 7.4.2) as response data: the store's envelope (stored
// with the content, or worked out from the header bytes), its strings as
// IMAP strings.
import { messageEnvelope, type EnvelopeValue } from '../../store/envelope.ts';
import { MAX_QUOTED, str, type ResponseValue } from '../parser/response.ts';

function toResponse(value: EnvelopeValue): ResponseValue {
  if (value === null) return null;
  if (typeof value === 'string') return str(value);
  return value.map(toResponse);
}

export function envelope(header: Buffer): ResponseValue {
  return toResponse(messageEnvelope(header));
}

/**
 * The stored JSON written straight as IMAP text when that is a change of
 * punctuation only: printable 7-bit text whose only escapes are \" and \\
 * (written the same in an IMAP quoted string), short enough that no string
 * needs a literal. Nearly every envelope is; a FETCH of a whole mailbox's
 * envelopes then parses none of them. Null otherwise.
 */
function plainEnvelope(json: string): string | null {
  if (json.length > MAX_QUOTED || !PRINTABLE.test(json)) return null;
  if (json.includes('\\') && json.replace(QUOTE_ESCAPE, '').includes('\\')) return null;
  return json.replace(JSON_TOKEN, (token) => (token[0] === '"' ? token : token === 'null' ? 'NIL' : token === '[' ? '(' : token === ']' ? ')' : ' '));
}

const PRINTABLE = /^[\x20-\x7e]*$/;
const QUOTE_ESCAPE = /\\["\\]/g;
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|null|[[\],]/g;

/** From the stored JSON (see prisma/schema.prisma MessageEnvelope). */
export function storedEnvelope(json: string): ResponseValue {
  return plainEnvelope(json) ?? toResponse(JSON.parse(json) as EnvelopeValue);
}
