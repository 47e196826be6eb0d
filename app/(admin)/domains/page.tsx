import Link from 'next/link';
import { administeredDomains } from '@/mail-daemon/domains/domain-admins.ts';
import { ActionForm, Field } from '../../_components/action-form.tsx';
import { PageShell, Section } from '../../_components/page-shell.tsx';
import { forPage, requireSignedIn } from '../../_lib/session.ts';
import { addDomainAction } from '../../_actions/add-domain.ts';

export const metadata = { title: 'Domains' };

export default async function DomainsPage() {
  const { store, account } = await forPage(requireSignedIn);
  const domains = await administeredDomains(store, account);
  return (
    <PageShell account={account} title="Domains">
      <Section title="Your domains" testId="domain-list">
        {domains.length === 0 ? <p className="text-sm text-muted">You administer no domain yet.</p> : null}
        <ul className="flex flex-col gap-1 text-sm">
          {domains.map((d) => (
            <li key={d.id} className="flex gap-3">
              <Link href={`/domains/${d.name}`} className="font-medium underline">{d.name}</Link>
              <span className="text-muted">{d.verified ? 'verified' : 'waiting for the DNS proof'}{d.disabled ? ', suspended' : ''}</span>
              <Link href={`/domains/${d.name}/dns`} className="underline">DNS records</Link>
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Add a domain" testId="add-domain">
        <p className="text-sm text-muted">
          {account.role === 'admin' ? 'As a platform admin, your domains are verified at once.' : 'You prove that the domain is yours with a TXT record; until then its mailboxes cannot log in, send or receive mail, and an unproven claim lapses after a while.'}
        </p>
        <ActionForm action={addDomainAction} submit="Add domain">
          <Field name="domain" label="Domain name" placeholder="example.com" />
        </ActionForm>
      </Section>
    </PageShell>
  );
}
