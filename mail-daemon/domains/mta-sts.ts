// MTA-STS (RFC 8461) and TLS reporting (RFC 8460) for hosted domains: the
// policy the web app serves at https://mta-sts.<domain>/.well-known/mta-sts.txt,
// the id that the _mta-sts TXT record carries (it changes whenever the
// policy does, RFC 8461 3.1), and which hosted domain a request's host names.
import { createHash } from 'node:crypto';

/** RFC 8461 3.2: a week is a common max_age; "testing" until the operator has a certificate that senders accept. */
const MAX_AGE = 604_800;

export function mtaStsPolicy(hostname: string, mode: 'testing' | 'enforce' = 'testing'): string {
  // RFC 8461 3.2: CRLF line ends; one mx line per MX host.
  return ['version: STSv1', `mode: ${mode}`, `mx: ${hostname.replace(/\.$/, '')}`, `max_age: ${MAX_AGE}`, ''].join('\r\n');
}

/** RFC 8461 3.1: 1 to 32 letters and digits, new whenever the policy changes. */
export function mtaStsId(policy: string): string {
  return createHash('sha256').update(policy).digest('hex').slice(0, 20);
}

/** The domain a policy request is for: "mta-sts.example.com[:port]" gives "example.com". */
export function policyDomainOf(host: string | null): string | null {
  const name = String(host ?? '').trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const match = /^mta-sts\.([a-z0-9.-]+)$/.exec(name);
  return match ? match[1] : null;
}
