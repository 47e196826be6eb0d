import { loadConfig } from '@/mail-daemon/config/config.ts';
import { listAppPasswords } from '@/mail-daemon/accounts/app-passwords.ts';
import { pendingTwoFactorSecret, twoFactorEnabled } from '@/mail-daemon/accounts/totp.ts';
import { getSettings } from '@/mail-daemon/settings/account-settings.ts';
import { clientServers } from '@/mail-daemon/settings/client-setup.ts';
import { listFilters } from '@/mail-daemon/settings/filters.ts';
import { listMailboxes } from '@/mail-daemon/store/mailboxes.ts';
import { ActionForm, Checkbox, Field, Select, TextArea } from '../../_components/action-form.tsx';
import { ButtonForm } from '../../_components/button-form.tsx';
import { PageShell, Section } from '../../_components/page-shell.tsx';
import { ScrollFrame } from '../../_components/scroll-frame.tsx';
import { forPage, requireSignedIn } from '../../_lib/session.ts';
import { updateProfileAction } from '../../_actions/update-profile.ts';
import { changePasswordAction } from '../../_actions/change-password.ts';
import { startTwoFactorAction } from '../../_actions/start-two-factor.ts';
import { confirmTwoFactorAction } from '../../_actions/confirm-two-factor.ts';
import { disableTwoFactorAction } from '../../_actions/disable-two-factor.ts';
import { replaceRecoveryCodesAction } from '../../_actions/replace-recovery-codes.ts';
import { RECOVERY_CODE_COUNT, unusedRecoveryCodes } from '@/mail-daemon/accounts/recovery-codes.ts';
import { createAppPasswordAction } from '../../_actions/create-app-password.ts';
import { revokeAppPasswordAction } from '../../_actions/revoke-app-password.ts';
import { setForwardingAction } from '../../_actions/set-forwarding.ts';
import { setVacationAction } from '../../_actions/set-vacation.ts';
import { addFilterAction } from '../../_actions/add-filter.ts';
import { removeFilterAction } from '../../_actions/remove-filter.ts';

export const metadata = { title: 'Settings' };

const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : '');

export default async function SettingsPage() {
  const { store, account } = await forPage(requireSignedIn);
  const [settings, appPasswords, twoFactor, pendingSecret, filters, mailboxes] = await Promise.all([
    getSettings(store, account.id),
    listAppPasswords(store, account.id),
    twoFactorEnabled(store, account.id),
    pendingTwoFactorSecret(store, account.id),
    listFilters(store, account.id),
    listMailboxes(store, account.id),
  ]);
  const recoveryCodesLeft = twoFactor ? await unusedRecoveryCodes(store, account.id) : 0;
  const servers = clientServers(loadConfig());
  const folders = mailboxes.map((m) => m.name).filter((name) => name !== 'INBOX');

  return (
    <PageShell account={account} title="Settings">
      <Section title="Profile" testId="profile">
        <ActionForm action={updateProfileAction} submit="Save">
          <Field name="displayName" label="Display name" defaultValue={account.displayName} />
          <TextArea name="signature" label="Signature" defaultValue={settings.signature} />
        </ActionForm>
      </Section>

      <Section title="Password" testId="password">
        <ActionForm action={changePasswordAction} submit="Change password" resetOnSuccess>
          <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" />
          <Field name="newPassword" label="New password" type="password" autoComplete="new-password" />
          <Field name="repeatPassword" label="New password again" type="password" autoComplete="new-password" />
        </ActionForm>
      </Section>

      <Section title="Two-factor sign-in" testId="two-factor" status={{ on: twoFactor, text: twoFactor ? 'On' : 'Off' }}>
        {twoFactor ? (
          <>
            <p className="text-sm">On. The web asks for a code from your authenticator app; mail clients use app passwords.</p>
            <p className="text-sm text-muted" data-testid="recovery-codes-left">
              {recoveryCodesLeft === 0 ? 'No recovery codes left.' : `${recoveryCodesLeft} of ${RECOVERY_CODE_COUNT} recovery codes left.`} Each one signs in once in place of a code
              from the app, for the day the app is lost. New ones replace the old ones and are shown only once: keep them somewhere safe.
            </p>
            <ActionForm action={replaceRecoveryCodesAction} submit="Make new recovery codes" resetOnSuccess testId="recovery-codes">
              <Field name="password" label="Password" type="password" autoComplete="current-password" />
            </ActionForm>
            <ActionForm action={disableTwoFactorAction} submit="Turn off" danger>
              <Field name="password" label="Password" type="password" autoComplete="current-password" />
            </ActionForm>
          </>
        ) : (
          <>
            <p className="text-sm text-muted">Off. With it on, signing in on the web also needs a code from an authenticator app.</p>
            <ActionForm action={startTwoFactorAction} submit={pendingSecret ? 'Show a new key' : 'Set up'} />
            {pendingSecret ? (
              <ActionForm action={confirmTwoFactorAction} submit="Turn on">
                <Field name="code" label="Code from the app" autoComplete="one-time-code" />
              </ActionForm>
            ) : null}
          </>
        )}
      </Section>

      <Section title="App passwords" testId="app-passwords">
        <p className="text-sm text-muted">For IMAP, POP3 and SMTP clients. {twoFactor ? 'With two-factor sign-in on, mail clients accept only these.' : ''}</p>
        <ul className="flex flex-col gap-2 text-sm">
          {appPasswords.map((p) => (
            <li key={p.id} className="flex items-center gap-3">
              <span className="font-medium">{p.name}</span>
              <span className="text-muted">created {p.createdAt.toISOString().slice(0, 10)}, {p.lastUsedAt ? `last used ${p.lastUsedAt.toISOString().slice(0, 16).replace('T', ' ')}` : 'never used'}</span>
              <ButtonForm action={revokeAppPasswordAction} fields={{ id: p.id }} submit="Revoke" danger confirm={`Revoke the app password ${p.name}?`} />
            </li>
          ))}
        </ul>
        <ActionForm action={createAppPasswordAction} submit="Create app password" resetOnSuccess>
          <Field name="name" label="Client name" placeholder="Thunderbird on my laptop" />
        </ActionForm>
      </Section>

      <Section title="Forwarding" testId="forwarding" status={{ on: Boolean(settings.forwardTo), text: settings.forwardTo ? `On: to ${settings.forwardTo}${settings.forwardKeepCopy ? ', keeping a copy' : ''}` : 'Off' }}>
        <ActionForm action={setForwardingAction} submit="Save">
          <Field name="forwardTo" label="Forward to (empty: off)" type="email" defaultValue={settings.forwardTo ?? ''} />
          <Checkbox name="keepCopy" label="Keep a copy here" defaultChecked={settings.forwardKeepCopy} />
        </ActionForm>
      </Section>

      <Section title="Vacation auto-reply" testId="vacation" status={{ on: settings.vacationEnabled, text: settings.vacationEnabled ? `On${settings.vacationStart ? ` from ${day(settings.vacationStart)}` : ''}${settings.vacationEnd ? ` until ${day(settings.vacationEnd)}` : ''}` : 'Off' }}>
        <p className="text-sm text-muted">Sent once per sender every few days, never to mailing lists or automatic mail.</p>
        <ActionForm action={setVacationAction} submit="Save">
          <Checkbox name="enabled" label="Reply automatically" defaultChecked={settings.vacationEnabled} />
          <Field name="vacationSubject" label="Subject" defaultValue={settings.vacationSubject} />
          <TextArea name="vacationBody" label="Message" defaultValue={settings.vacationBody} />
          <div className="grid grid-cols-2 gap-3">
            <Field name="vacationStart" label="From (optional)" type="date" defaultValue={day(settings.vacationStart)} />
            <Field name="vacationEnd" label="Until (optional)" type="date" defaultValue={day(settings.vacationEnd)} />
          </div>
        </ActionForm>
      </Section>

      <Section title="Filters" testId="filters" status={{ on: filters.length > 0, text: filters.length === 0 ? 'None' : `${filters.length} active` }}>
        <ul className="flex flex-col gap-2 text-sm">
          {filters.map((f) => (
            <li key={f.id} className="flex items-center gap-3">
              <span>
                If {f.field === 'from' ? 'sender' : f.field === 'to' ? 'recipient' : 'subject'} contains “{f.value}”,{' '}
                {f.action === 'move' ? `move to ${f.folder}` : 'mark as read'}
              </span>
              <ButtonForm action={removeFilterAction} fields={{ id: f.id }} submit="Remove" danger />
            </li>
          ))}
        </ul>
        <ActionForm action={addFilterAction} submit="Add filter" resetOnSuccess className="grid grid-cols-2 gap-3">
          <Select name="field" label="If" options={[{ value: 'from', label: 'Sender' }, { value: 'to', label: 'Recipient' }, { value: 'subject', label: 'Subject' }]} />
          <Field name="value" label="contains" />
          <Select name="action" label="then" options={[{ value: 'move', label: 'Move to folder' }, { value: 'read', label: 'Mark as read' }]} />
          <Select name="folder" label="Folder" options={folders.map((f) => ({ value: f, label: f }))} />
        </ActionForm>
      </Section>

      <Section title="Mail client setup" testId="client-setup">
        <p className="text-sm text-muted">User name: your full address, {account.address}. Thunderbird and other clients that read autoconfig set themselves up from your address.</p>
        <ScrollFrame label="Mail client servers">
        <table className="text-sm">
          <thead>
            <tr className="text-left"><th className="pr-6">Protocol</th><th className="pr-6">Host</th><th className="pr-6">Port</th><th>Security</th></tr>
          </thead>
          <tbody>
            {servers.map((s) => (
              <tr key={`${s.protocol}-${s.port}`}>
                <td className="pr-6">{s.protocol}</td><td className="pr-6 font-mono">{s.host}</td><td className="pr-6">{s.port}</td><td>{s.security}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </ScrollFrame>
        <p className="text-sm">
          <a className="underline" href="/api/settings/mobileconfig" download>Download a configuration profile</a> for Mail on iPhone, iPad and Mac. Outlook sets itself up from your address (Autodiscover).
        </p>
      </Section>
    </PageShell>
  );
}
