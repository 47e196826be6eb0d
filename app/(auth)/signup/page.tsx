import Link from 'next/link';
import { signupDomains } from '@/mail-daemon/accounts/signup.ts';
import { getMailStore } from '@/mail-daemon/store/context.ts';
import { ActionForm, Field, Select } from '../../_components/action-form.tsx';
import { signUpAccount } from '../../_actions/sign-up.ts';

export const metadata = { title: 'Sign up' };

export default async function SignupPage() {
  const domains = await signupDomains(await getMailStore());
  return (
    <div id="signup" className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Create an address</h1>
      {domains.length === 0 ? (
        <p className="text-muted">Signup is closed here. Ask an administrator for an account.</p>
      ) : (
        <ActionForm
          action={signUpAccount}
          submit="Sign up"
        >
          <Field name="localPart" label="Name before the @" autoComplete="username" />
          <Select name="domain" label="Domain" options={domains.map((d) => ({ value: d, label: `@${d}` }))} />
          <Field name="displayName" label="Your name" />
          <Field name="password" label="Password" type="password" autoComplete="new-password" />
        </ActionForm>
      )}
      <p className="text-sm text-muted">
        Have an account? <Link href="/login" className="underline">Sign in</Link>
      </p>
    </div>
  );
}
