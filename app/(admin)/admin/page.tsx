// Platform administration: every domain and account, with storage use, and
// suspension.
import Link from 'next/link';
import { listDomains } from '@/mail-daemon/domains/domains.ts';
import { listAccounts } from '@/mail-daemon/accounts/accounts.ts';
import { ButtonForm } from '../../_components/button-form.tsx';
import { formatBytes } from '../../_components/directory-controls.tsx';
import { DataTable } from '../../_components/data-table.tsx';
import { PageShell, Section } from '../../_components/page-shell.tsx';
import { PlatformTabs } from '../../_components/platform-tabs.tsx';
import { forPage, requirePlatformAdmin } from '../../_lib/session.ts';
import { setDomainSuspendedAction } from '../../_actions/set-domain-suspended.ts';
import { setMailboxDisabledAction } from '../../_actions/set-mailbox-disabled.ts';

export const metadata = { title: 'Platform' };

const size = formatBytes;

export default async function PlatformPage() {
  const { store, account } = await forPage(requirePlatformAdmin);
  const [domains, accounts] = await Promise.all([listDomains(store), listAccounts(store)]);
  const usedByDomain = new Map<number, bigint>();
  for (const a of accounts) usedByDomain.set(a.domainId, (usedByDomain.get(a.domainId) ?? 0n) + a.usedBytes);
  return (
    <PageShell account={account} title="Platform" above={<PlatformTabs />}>
      <Section title={`Domains (${domains.length})`} testId="all-domains">
        <DataTable label="Domains" columns={['Domain', 'State', 'Accounts', 'Aliases', 'Storage', '']}>
            {domains.map((d) => (
              <tr key={d.id} className="border-t border-border">
                <td className="pr-4"><Link className="underline" href={`/domains/${d.name}`}>{d.name}</Link></td>
                <td className="pr-4">{d.disabled ? 'suspended' : d.verified ? 'active' : 'unverified'}</td>
                <td className="pr-4 tabular-nums">{d.accountCount}</td>
                <td className="pr-4 tabular-nums">{d.aliasCount}</td>
                <td className="pr-4 tabular-nums">{size(usedByDomain.get(d.id) ?? 0n)}</td>
                <td>
                  <ButtonForm action={setDomainSuspendedAction} fields={{ domain: d.name, suspended: !d.disabled }} submit={d.disabled ? 'Reactivate' : 'Suspend'} danger={!d.disabled} />
                </td>
              </tr>
            ))}
        </DataTable>
      </Section>
      <Section title={`Accounts (${accounts.length})`} testId="all-accounts">
        <DataTable label="Accounts" columns={['Address', 'Role', 'Storage', 'State', '']}>
            {accounts.map((a) => (
              <tr key={a.id} className="border-t border-border">
                <td className="pr-4">{a.address}</td>
                <td className="pr-4">{a.role}</td>
                <td className="pr-4 tabular-nums">{size(a.usedBytes)} of {size(a.quotaBytes)}</td>
                <td className="pr-4">{a.disabled ? 'suspended' : 'active'}</td>
                <td>
                  {a.id === account.id ? null : (
                    <ButtonForm action={setMailboxDisabledAction} fields={{ address: a.address, disabled: !a.disabled }} submit={a.disabled ? 'Reactivate' : 'Suspend'} danger={!a.disabled} />
                  )}
                </td>
              </tr>
            ))}
        </DataTable>
      </Section>
    </PageShell>
  );
}
