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
  if (json.length > MAX_QUOTED) return null;
  // One pass: strings are copied as they are, and outside them [ ] , null become ( ) space NIL.
  let out = '';
  let from = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return null;
    if (c === QUOTE) {
      for (i++; i < json.length; i++) {
        const d = json.charCodeAt(i);
        if (d < 0x20 || d > 0x7e) return null;
        if (d === BACKSLASH) {
          const escaped = json.charCodeAt(++i);
          if (escaped !== QUOTE && escaped !== BACKSLASH) return null;
        } else if (d === QUOTE) break;
      }
    } else if (c === OPEN || c === CLOSE || c === COMMA) {
      out += json.slice(from, i) + (c === OPEN ? '(' : c === CLOSE ? ')' : ' ');
      from = i + 1;
    } else if (c === LETTER_N) {
      // JSON's only bare word here is null.
      out += json.slice(from, i) + 'NIL';
      i += 3;
      from = i + 1;
    }
  }
  return out + json.slice(from);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const COMMA = 0x2c;
const LETTER_N = 0x6e;

/** From the stored JSON (see prisma/schema.prisma MessageEnvelope). */
export function storedEnvelope(json: string): ResponseValue {
  return plainEnvelope(json) ?? toResponse(JSON.parse(json) as EnvelopeValue);
}
