// ENVELOPE (RFC 3501 7.4.2) as response data: the store's envelope (stored
// with the content, or worked out from the header bytes), its strings as
// IMAP strings.
import { messageEnvelope, type EnvelopeValue } from '../../store/envelope.ts';
import { plainQuoted, str, type ResponseValue } from '../parser/response.ts';

function toResponse(value: EnvelopeValue): ResponseValue {
  if (value === null) return null;
  if (typeof value === 'string') return str(value);
  return value.map(toResponse);
}

export function envelope(header: Buffer): ResponseValue {
  return toResponse(messageEnvelope(header));
}

/**
 * The envelope written out as one atom-like string when every string in it
 * is 7-bit text to quote: what nearly every envelope is, and a FETCH of a
 * whole mailbox's envelopes then builds no tree of values. Null otherwise.
 */
function plainEnvelope(value: EnvelopeValue): string | null {
  if (value === null) return 'NIL';
  if (typeof value === 'string') return plainQuoted(value);
  const parts: string[] = [];
  for (const item of value) {
    const text = plainEnvelope(item);
    if (text === null) return null;
    parts.push(text);
  }
  return `(${parts.join(' ')})`;
}

/** From the stored JSON (see prisma/schema.prisma MessageEnvelope). */
export function storedEnvelope(json: string): ResponseValue {
  const value = JSON.parse(json) as EnvelopeValue;
  return plainEnvelope(value) ?? toResponse(value);
}
