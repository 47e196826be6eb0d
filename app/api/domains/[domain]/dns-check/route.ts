// "Check DNS" on the domain's DNS page: looks each record up through the
// daemon's resolver (DNS_SERVERS) and verifies the domain once its
// ownership record is found.
import { loadConfig } from '@/mail-daemon/config/config.ts';
import { createMailResolver } from '@/mail-daemon/dns/resolver.ts';
import { checkDnsRecords, checkMailHost } from '@/mail-daemon/domains/dns-check.ts';
import { dnsRecordsFor } from '@/mail-daemon/domains/dns-records.ts';
import { markDomainVerified } from '@/mail-daemon/domains/domains.ts';
import { requireDomainAdmin, withAuth } from '@/app/_lib/session.ts';

export const dynamic = 'force-dynamic';

export const GET = withAuth(async (_request: Request, { params }: { params: Promise<{ domain: string }> }) => {
  const { store, domain } = await requireDomainAdmin((await params).domain);
  const config = loadConfig();
  const resolver = createMailResolver(config.dnsServers, { timeoutMs: 2000, tries: 1 });
  const [checks, host] = await Promise.all([checkDnsRecords(resolver, dnsRecordsFor(domain, config)), checkMailHost(resolver, config.hostname)]);
  let verified = domain.verified;
  if (!verified && checks.some((c) => c.purpose === 'Ownership' && c.status === 'found')) {
    await markDomainVerified(store, domain.id);
    verified = true;
  }
  return Response.json({ domain: domain.name, verified, checks, host });
});
