// Platform administration: every domain and account, with storage use, and
// suspension.
import Link from 'next/link';
import { listDomains } from '@/mail-daemon/domains/domains.ts';
import { listAccounts } from '@/mail-daemon/accounts/accounts.ts';
import { ButtonForm } from '../../_components/button-form.tsx';
import { formatBytes } from '../../_components/directory-controls.tsx';
import { ScrollFrame } from '../../_components/scroll-frame.tsx';
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
        <ScrollFrame label="Domains">
        <table className="text-left text-sm">
          <thead><tr><th className="pr-4">Domain</th><th className="pr-4">State</th><th className="pr-4">Accounts</th><th className="pr-4">Aliases</th><th className="pr-4">Storage</th><th /></tr></thead>
          <tbody>
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
          </tbody>
        </table>
        </ScrollFrame>
      </Section>
      <Section title={`Accounts (${accounts.length})`} testId="all-accounts">
        <ScrollFrame label="Accounts">
        <table className="text-left text-sm">
          <thead><tr><th className="pr-4">Address</th><th className="pr-4">Role</th><th className="pr-4">Storage</th><th className="pr-4">State</th><th /></tr></thead>
          <tbody>
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
          </tbody>
        </table>
        </ScrollFrame>
      </Section>
    </PageShell>
  );
}
