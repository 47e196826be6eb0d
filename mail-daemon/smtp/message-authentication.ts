// SPF, DKIM, DMARC and ARC of a message from another server (mailauth), as
// far as the inbound pipeline uses the result: the Authentication-Results
// and ARC fields to add (RFC 8601, RFC 8617), the sender proof of our own
// domains (hosted-sender-proof.ts) and the DMARC policy (RFC 7489 6.3).
import { authenticate } from 'mailauth';
import type { MailResolver } from '../dns/resolver.ts';
import type { SenderAuthentication } from './hosted-sender-proof.ts';
import { prependHeaders } from './message-headers.ts';

/** Who sent the message, as the session saw it. */
export interface AuthenticationRequest {
  ip: string;
  helo: string;
  /** MAIL FROM, lowercase; "" for <>. */
  sender: string;
  /** Our host name, in the result fields. */
  mta: string;
}

export interface MessageAuthentication extends SenderAuthentication {
  /** The fields to add at the top, ending in CRLF. */
  headers: string;
  dmarc: { status?: { result?: string }; policy?: string } | false;
}

export async function authenticateMessage(raw: Buffer, request: AuthenticationRequest, resolver: MailResolver): Promise<MessageAuthentication> {
  return (await authenticate(raw, { ...request, resolver: resolver.resolve as never })) as unknown as MessageAuthentication;
}

/** The message with the `trace` fields (Return-Path, Received) and then the result's on top. */
export function tracedMessage(raw: Buffer, trace: string[], auth: MessageAuthentication): Buffer {
  return prependHeaders(raw, [...trace, auth.headers.replace(/\r\n$/, '')]);
}
