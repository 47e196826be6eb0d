import { redirect } from 'next/navigation';
import { loadConfig } from '@/mail-daemon/config/config.ts';
import { needsSetup } from '@/mail-daemon/accounts/signup.ts';
import { getMailStore } from '@/mail-daemon/store/context.ts';
import { ActionForm, Field } from '../_components/action-form.tsx';
import { setupPlatform } from '../_actions/setup.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Set up' };

export default async function SetupPage() {
  if (!(await needsSetup(await getMailStore()))) redirect('/login');
  const { hostname } = loadConfig();
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-6 rounded-xl px-4 py-10" id="setup">
      <header>
        <h1 className="text-2xl font-semibold">Set up your mail server</h1>
        <p className="text-muted">
          Server <span data-testid="hostname">{hostname}</span>: name the primary domain and create the platform administrator.
        </p>
      </header>
      <ActionForm
        action={setupPlatform}
        submit="Create"
      >
        <Field name="domain" label="Primary domain" placeholder="example.com" />
        <Field name="localPart" label="Your address (before the @)" placeholder="you" />
        <Field name="displayName" label="Your name" />
        <Field name="password" label="Password" type="password" autoComplete="new-password" />
      </ActionForm>
    </main>
  );
}
