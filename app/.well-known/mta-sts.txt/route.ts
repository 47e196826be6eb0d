// RFC 8461 3.3: the MTA-STS policy of a hosted, verified domain, served to
// https://mta-sts.<domain>/.well-known/mta-sts.txt (the mta-sts host is a
// CNAME to this server; see the DNS page). Any other host name: 404.
import { loadConfig } from '@/mail-daemon/config/config.ts';
import { findDomain } from '@/mail-daemon/domains/domains.ts';
import { mtaStsPolicy, policyDomainOf } from '@/mail-daemon/domains/mta-sts.ts';
import { getMailStore } from '@/mail-daemon/store/context.ts';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const name = policyDomainOf(request.headers.get('host'));
  const domain = name ? await findDomain(await getMailStore(), name).catch(() => null) : null;
  if (!domain || !domain.verified || domain.disabled) return new Response('No MTA-STS policy here.\n', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return new Response(mtaStsPolicy(loadConfig().hostname), { headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'max-age=3600' } });
}
