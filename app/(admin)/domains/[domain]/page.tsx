import Link from 'next/link';
import { aliasPage, mailboxPage } from '@/mail-daemon/domains/domain-directory.ts';
import { Pager, StorageMeter, TableSearch } from '../../../_components/directory-controls.tsx';
import { DataTable } from '../../../_components/data-table.tsx';
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

export async function generateMetadata({ params }: { params: Promise<{ domain: string }> }) {
  return { title: `${decodeURIComponent((await params).domain)} · Domains` };
}

const MB = 1024n * 1024n;
const megabytes = (bytes: bigint) => Number(bytes / MB);

const ROLE_NAMES: Record<string, string> = { admin: 'Platform admin', domain_admin: 'Domain admin', user: 'User' };

type Query = { mq?: string; mp?: string; aq?: string; ap?: string };
const pageNumber = (value: string | undefined) => Math.max(Number.parseInt(value ?? '1', 10) || 1, 1) - 1;

export default async function DomainPage({ params, searchParams }: { params: Promise<{ domain: string }>; searchParams: Promise<Query> }) {
  const name = (await params).domain;
  const { store, account, domain } = await forPage(() => requireDomainAdmin(name));
  const raw = await searchParams;
  const query = { mq: String(raw.mq ?? '').slice(0, 200), mp: String(raw.mp ?? ''), aq: String(raw.aq ?? '').slice(0, 200), ap: String(raw.ap ?? '') };
  const base = `/domains/${domain.name}`;
  const [mailboxes, aliases, admins] = await Promise.all([
    mailboxPage(store, domain.id, { search: query.mq, page: pageNumber(query.mp) }),
    aliasPage(store, domain.id, { search: query.aq, page: pageNumber(query.ap) }),
    listDomainAdmins(store, domain.name),
  ]);
  return (
    <PageShell account={account} title={domain.name}>
      <p className="flex flex-wrap items-center gap-3 text-sm">
        {domain.verified ? <span className="badge text-success">Verified</span> : <span className="badge text-warning">Not verified: its mailboxes cannot log in, send or receive mail until the ownership record is found</span>}
        <Link href={`/domains/${domain.name}/dns`} className="link">DNS records</Link>
      </p>

      <Section title="Domain settings" testId="domain-settings">
        <ActionForm action={updateDomainAction} submit="Save">
          <Hidden name="domain" value={domain.name} />
          <Checkbox name="signupOpen" label="Anyone may sign up for an address here" defaultChecked={domain.signupOpen} />
          <Field name="catchAllTarget" label="Catch-all: deliver mail for unknown addresses to (empty: reject)" defaultValue={domain.catchAllTarget ?? ''} />
        </ActionForm>
      </Section>

      <Section title={`Mailboxes (${mailboxes.total.toLocaleString('en')})`} testId="mailboxes">
        <TableSearch param="mq" value={query.mq} label="Search mailboxes" keep={{ aq: query.aq, ap: query.ap }} />
        <DataTable label="Mailboxes" columns={['Mailbox', 'Role', 'Storage', 'State', '']}>
              {mailboxes.rows.map((m) => {
                const own = m.id === account.id;
                const locked = m.role === 'admin' && account.role !== 'admin';
                return (
                  <tr key={m.id} className="border-t border-border align-top" data-testid={`mailbox-${m.address}`}>
                    <td className="py-2 pr-4">
                      <div className="font-medium break-all">{m.address}{own ? <span className="badge ml-2">you</span> : null}</div>
                      {m.displayName ? <div className="text-xs text-muted">{m.displayName}</div> : null}
                    </td>
                    <td className="pr-4 py-2">{ROLE_NAMES[m.role] ?? m.role}</td>
                    <td className="pr-4 py-2"><StorageMeter used={m.usedBytes} quota={m.quotaBytes} /></td>
                    <td className="pr-4 py-2">{m.disabled ? <span className="text-danger">Disabled</span> : 'Active'}</td>
                    <td className="py-2">
                      {locked ? <span className="text-xs text-muted">Platform admins manage this one</span> : (
                        <details className="row-menu" data-testid="row-actions">
                          <summary className="btn btn-small cursor-pointer list-none" aria-label={`Manage ${m.address}`}>Manage ▾</summary>
                          <div className="row-menu-panel">
                            <ActionForm action={resetMailboxPasswordAction} submit="Set password" className="flex flex-col gap-2">
                              <Hidden name="address" value={m.address} />
                              <Field name="password" label="New password" type="password" autoComplete="new-password" />
                            </ActionForm>
                            <ActionForm action={setMailboxQuotaAction} submit="Set quota" className="flex flex-col gap-2">
                              <Hidden name="address" value={m.address} />
                              <Field name="quotaMb" label="Quota" type="number" defaultValue={megabytes(m.quotaBytes)} suffix="MB" />
                            </ActionForm>
                            {own ? (
                              <p className="text-xs text-muted">Your own mailbox cannot be disabled or deleted here.</p>
                            ) : (
                              <>
                                <ButtonForm action={setMailboxDisabledAction} fields={{ address: m.address, disabled: !m.disabled }} submit={m.disabled ? 'Enable' : 'Disable'} />
                                <ActionForm action={deleteMailboxAction} submit="Delete" danger className="flex flex-col gap-2" confirm={`Delete ${m.address} and all its mail? This cannot be undone.`}>
                                  <Hidden name="address" value={m.address} />
                                  <Field name="confirmAddress" label="Type the address to delete" />
                                </ActionForm>
                              </>
                            )}
                          </div>
                        </details>
                      )}
                    </td>
                  </tr>
                );
              })}
        </DataTable>
        {mailboxes.total === 0 ? <p className="empty">{query.mq ? `No mailbox matches “${query.mq}”.` : 'No mailboxes yet.'}</p> : null}
        <Pager base={base} param="mp" page={mailboxes.page} pageSize={mailboxes.pageSize} total={mailboxes.total} keep={{ mq: query.mq, aq: query.aq, ap: query.ap }} what="mailboxes" />
        <h3 className="section-title mt-2">New mailbox</h3>
          <ActionForm action={createMailboxAction} submit="Create mailbox" resetOnSuccess testId="create-mailbox">
            <Hidden name="domain" value={domain.name} />
            <Field name="localPart" label="Name before the @" suffix={`@${domain.name}`} />
            <Field name="displayName" label="Display name" />
            <Field name="password" label="Password" type="password" autoComplete="new-password" />
            <Field name="quotaMb" label="Quota" type="number" defaultValue={5120} suffix="MB" />
            <Select name="role" label="Role" options={[{ value: 'user', label: 'User' }, { value: 'domain_admin', label: 'Domain admin' }]} />
          </ActionForm>
      </Section>

      <Section title={`Aliases (${aliases.total.toLocaleString('en')})`} testId="aliases">
        <TableSearch param="aq" value={query.aq} label="Search aliases" keep={{ mq: query.mq, mp: query.mp }} />
        <DataTable label="Aliases" columns={['Alias', 'Delivers to', '']}>
              {aliases.rows.map((a) => (
                <tr key={a.id} className="border-t border-border align-top" data-testid={`alias-${a.address}`}>
                  <td className="py-2 pr-4 font-medium break-all">{a.address}</td>
                  <td className="py-2 pr-4 break-all text-muted">{a.targets.join(', ')}</td>
                  <td className="py-2"><ButtonForm action={removeAliasAction} fields={{ address: a.address }} submit="Remove" danger confirm={`Remove the alias ${a.address}?`} /></td>
                </tr>
              ))}
        </DataTable>
        {aliases.total === 0 ? <p className="empty">{query.aq ? `No alias matches “${query.aq}”.` : 'No aliases yet.'}</p> : null}
        <Pager base={base} param="ap" page={aliases.page} pageSize={aliases.pageSize} total={aliases.total} keep={{ mq: query.mq, mp: query.mp, aq: query.aq }} what="aliases" />
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
