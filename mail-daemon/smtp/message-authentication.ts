// SPF, DKIM, DMARC and ARC of a message from another server (mailauth), as
// far as the inbound pipeline uses the result: the Authentication-Results
// and ARC fields to add (RFC 8601, RFC 8617), the sender proof of our own
// domains (hosted-sender-proof.ts) and the DMARC policy (RFC 7489 6.3). Its
// result is plain data and it has no database in it, so it could run on
// another thread; issue 12 measured that move (stop 25) and did not keep it:
// the main thread's time fell by a fifth, but the machine's rose and the
// rates did not.
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
  const auth = await authenticate(raw, { ...request, resolver: resolver.resolve as never });
  const spf = auth.spf as { domain?: string; status?: { result?: string } } | false;
  const dkim = auth.dkim as { headerFrom?: string[]; results?: { signingDomain?: string; status?: { result?: string } }[] };
  const dmarc = auth.dmarc as { status?: { result?: string }; policy?: string } | false;
  return {
    headers: auth.headers,
    spf: spf && { domain: spf.domain, status: { result: spf.status?.result } },
    dkim: { headerFrom: dkim?.headerFrom, results: dkim?.results?.map((r) => ({ signingDomain: r.signingDomain, status: { result: r.status?.result } })) },
    dmarc: dmarc && { status: { result: dmarc.status?.result }, policy: dmarc.policy },
  };
}

/** The message with the `trace` fields (Return-Path, Received) and then the result's on top. */
export function tracedMessage(raw: Buffer, trace: string[], auth: MessageAuthentication): Buffer {
  return prependHeaders(raw, [...trace, auth.headers.replace(/\r\n$/, '')]);
}

/** The DMARC policy refuses the message (RFC 7489 6.3, p=reject). */
export function dmarcRejects(auth: MessageAuthentication): boolean {
  return !!auth.dmarc && auth.dmarc.status?.result === 'fail' && auth.dmarc.policy === 'reject';
}
