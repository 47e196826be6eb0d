import Link from 'next/link';
import { loadConfig } from '@/mail-daemon/config/config.ts';
import { dnsRecordsFor, formatZone } from '@/mail-daemon/domains/dns-records.ts';
import { ButtonForm } from '../../../../_components/button-form.tsx';
import { DnsRecordsTable } from '../../../../_components/dns-check.tsx';
import { PageShell, Section } from '../../../../_components/page-shell.tsx';
import { ScrollFrame } from '../../../../_components/scroll-frame.tsx';
import { forPage, requireDomainAdmin } from '../../../../_lib/session.ts';
import { rotateDkimAction } from '../../../../_actions/rotate-dkim.ts';

export async function generateMetadata({ params }: { params: Promise<{ domain: string }> }) {
  return { title: `DNS · ${decodeURIComponent((await params).domain)} · Domains` };
}

export default async function DomainDnsPage({ params }: { params: Promise<{ domain: string }> }) {
  const name = (await params).domain;
  const { account, domain } = await forPage(() => requireDomainAdmin(name));
  const records = dnsRecordsFor(domain, loadConfig());
  return (
    <PageShell account={account} title={`DNS records of ${domain.name}`}>
      <Link href={`/domains/${domain.name}`} className="text-sm underline">Mailboxes and aliases</Link>
      <Section title="Records to publish" testId="dns-records">
        <DnsRecordsTable domain={domain.name} records={records} verified={domain.verified} />
      </Section>
      <Section title="As zone-file lines">
        <ScrollFrame label="Zone-file lines">
          <pre className="text-xs">{formatZone(records)}</pre>
        </ScrollFrame>
      </Section>
      <Section title="DKIM key" testId="dkim">
        <p className="text-sm">Selector <code>{domain.dkimSelector}</code>, 2048-bit RSA. A new key gets a new selector: publish its record before removing the old one.</p>
        <ButtonForm action={rotateDkimAction} fields={{ domain: domain.name }} submit="Rotate DKIM key" confirm="Make a new DKIM key? Mail is signed with it at once." />
      </Section>
    </PageShell>
  );
}
