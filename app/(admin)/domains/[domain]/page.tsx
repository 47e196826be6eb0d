import Link from 'next/link';
import { listAccounts } from '@/mail-daemon/accounts/accounts.ts';
import { listAliases } from '@/mail-daemon/aliases/aliases.ts';
import { ActionForm, Checkbox, Field, Hidden, Select, TextArea } from '../../../_components/action-form.tsx';
import { ButtonForm } from '../../../_components/button-form.tsx';
import { PageShell, Section } from '../../../_components/page-shell.tsx';
import { forPage, requireDomainAdmin } from '../../../_lib/session.ts';
import { updateDomainAction } from '../../../_actions/update-domain.ts';
import { createMailboxAction } from '../../../_actions/create-mailbox.ts';
import { resetMailboxPasswordAction } from '../../../_actions/reset-mailbox-password.ts';
import { setMailboxQuotaAction } from '../../../_actions/set-mailbox-quota.ts';
import { setMailboxDisabledAction } from '../../../_actions/set-mailbox-disabled.ts';
import { deleteMailboxAction } from '../../../_actions/delete-mailbox.ts';
import { addAliasAction } from '../../../_actions/add-alias.ts';
import { removeAliasAction } from '../../../_actions/remove-alias.ts';
import { removeDomainAction } from '../../../_actions/remove-domain.ts';
import { addDomainAdminAction } from '../../../_actions/add-domain-admin.ts';
import { removeDomainAdminAction } from '../../../_actions/remove-domain-admin.ts';
import { listDomainAdmins } from '@/mail-daemon/domains/domain-admins.ts';

export const metadata = { title: 'Domain' };

const MB = 1024n * 1024n;
const megabytes = (bytes: bigint) => Number(bytes / MB);

export default async function DomainPage({ params }: { params: Promise<{ domain: string }> }) {
  const name = (await params).domain;
  const { store, account, domain } = await forPage(() => requireDomainAdmin(name));
  const [mailboxes, aliases, admins] = await Promise.all([listAccounts(store, domain.name), listAliases(store, domain.name), listDomainAdmins(store, domain.name)]);
  return (
    <PageShell account={account} title={domain.name}>
      <p className="text-sm">
        {domain.verified ? 'Verified.' : 'Not verified: its mailboxes cannot log in, send or receive mail until the ownership record is found.'}{' '}
        <Link href={`/domains/${domain.name}/dns`} className="underline">DNS records</Link>
      </p>

      <Section title="Domain settings" testId="domain-settings">
        <ActionForm action={updateDomainAction} submit="Save">
          <Hidden name="domain" value={domain.name} />
          <Checkbox name="signupOpen" label="Anyone may sign up for an address here" defaultChecked={domain.signupOpen} />
          <Field name="catchAllTarget" label="Catch-all: deliver mail for unknown addresses to (empty: reject)" defaultValue={domain.catchAllTarget ?? ''} />
        </ActionForm>
      </Section>

      <Section title="Mailboxes" testId="mailboxes">
        <table className="text-left text-sm">
          <thead>
            <tr><th className="pr-4">Address</th><th className="pr-4">Role</th><th className="pr-4">Used</th><th className="pr-4">Quota</th><th>Manage</th></tr>
          </thead>
          <tbody>
            {mailboxes.map((m) => (
              <tr key={m.id} className="border-t border-border align-top" data-testid={`mailbox-${m.address}`}>
                <td className="pr-4 py-2 font-medium">{m.address}{m.disabled ? ' (disabled)' : ''}</td>
                <td className="pr-4">{m.role}</td>
                <td className="pr-4 tabular-nums">{megabytes(m.usedBytes)} MB</td>
                <td className="pr-4 tabular-nums">{megabytes(m.quotaBytes)} MB</td>
                <td className="flex flex-col gap-2">
                  <ActionForm action={resetMailboxPasswordAction} submit="Set password" className="flex items-end gap-2">
                    <Hidden name="address" value={m.address} />
                    <Field name="password" label="New password" type="password" autoComplete="new-password" />
                  </ActionForm>
                  <ActionForm action={setMailboxQuotaAction} submit="Set quota" className="flex items-end gap-2">
                    <Hidden name="address" value={m.address} />
                    <Field name="quotaMb" label="Quota" type="number" defaultValue={megabytes(m.quotaBytes)} suffix="MB" />
                  </ActionForm>
                  <ButtonForm action={setMailboxDisabledAction} fields={{ address: m.address, disabled: !m.disabled }} submit={m.disabled ? 'Enable' : 'Disable'} />
                  <ActionForm action={deleteMailboxAction} submit="Delete" danger className="flex items-end gap-2" confirm={`Delete ${m.address} and all its mail? This cannot be undone.`}>
                    <Hidden name="address" value={m.address} />
                    <Field name="confirmAddress" label="Type the address to delete" />
                  </ActionForm>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3 className="font-medium">New mailbox</h3>
        <ActionForm action={createMailboxAction} submit="Create mailbox" resetOnSuccess testId="create-mailbox">
          <Hidden name="domain" value={domain.name} />
          <Field name="localPart" label="Name before the @" suffix={`@${domain.name}`} />
          <Field name="displayName" label="Display name" />
          <Field name="password" label="Password" type="password" autoComplete="new-password" />
          <Field name="quotaMb" label="Quota" type="number" defaultValue={5120} suffix="MB" />
          <Select name="role" label="Role" options={[{ value: 'user', label: 'User' }, { value: 'domain_admin', label: 'Domain admin' }]} />
        </ActionForm>
      </Section>

      <Section title="Aliases" testId="aliases">
        <ul className="flex flex-col gap-2 text-sm">
          {aliases.map((a) => (
            <li key={a.id} className="flex items-center gap-3" data-testid={`alias-${a.address}`}>
              <span className="font-medium">{a.address}</span>
              <span className="text-muted">→ {a.targets.join(', ')}</span>
              <ButtonForm action={removeAliasAction} fields={{ address: a.address }} submit="Remove" danger confirm={`Remove the alias ${a.address}?`} />
            </li>
          ))}
        </ul>
        <ActionForm action={addAliasAction} submit="Add alias" resetOnSuccess testId="add-alias">
          <Hidden name="domain" value={domain.name} />
          <Field name="localPart" label="Alias name before the @" suffix={`@${domain.name}`} />
          <TextArea name="targets" label="Deliver to (one or more addresses, local or external)" rows={2} />
        </ActionForm>
      </Section>

      <Section title="Domain admins" testId="domain-admins">
        <p className="text-sm text-muted">Accounts that manage {domain.name} besides the platform admins. The last one cannot be removed.</p>
        <ul className="flex flex-col gap-2 text-sm">
          {admins.map((a) => (
            <li key={a} className="flex items-center gap-3" data-testid={`domain-admin-${a}`}>
              <span className="font-medium">{a}</span>
              <ButtonForm action={removeDomainAdminAction} fields={{ domain: domain.name, address: a }} submit="Remove" danger confirm={`Stop ${a} from administering ${domain.name}?`} />
            </li>
          ))}
        </ul>
        <ActionForm action={addDomainAdminAction} submit="Add domain admin" resetOnSuccess testId="add-domain-admin">
          <Hidden name="domain" value={domain.name} />
          <Field name="address" label="Address of an existing account" />
        </ActionForm>
      </Section>

      <Section title="Remove domain" testId="remove-domain">
        <p className="text-sm text-muted">Stops hosting {domain.name}. Only a domain without mailboxes and aliases can be removed, so that no mail is dropped by accident.</p>
        <ActionForm action={removeDomainAction} submit="Remove domain" danger testId="remove-domain-form">
          <Hidden name="domain" value={domain.name} />
          <Field name="confirmName" label={`Type ${domain.name} to confirm`} />
        </ActionForm>
      </Section>
    </PageShell>
  );
}
