// ENVELOPE (RFC 3501 7.4.2) as response data: the store's envelope (stored
// with the content, or worked out from the header bytes), its strings as
// IMAP strings.
import { messageEnvelope, type EnvelopeValue } from '../../store/envelope.ts';
import { str, type ResponseValue } from '../parser/response.ts';

function toResponse(value: EnvelopeValue): ResponseValue {
  if (value === null) return null;
  if (typeof value === 'string') return str(value);
  return value.map(toResponse);
}

export function envelope(header: Buffer): ResponseValue {
  return toResponse(messageEnvelope(header));
}

/** From the stored JSON (see prisma/schema.prisma MessageContent.envelope). */
export function storedEnvelope(json: string): ResponseValue {
  return toResponse(JSON.parse(json) as EnvelopeValue);
}
