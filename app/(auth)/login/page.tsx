import Link from 'next/link';
import { redirect } from 'next/navigation';
import { LoginForm } from '../../_components/login-form.tsx';
import { currentAccount } from '../../_lib/session.ts';

export const metadata = { title: 'Sign in' };

export default async function LoginPage() {
  if (await currentAccount()) redirect('/mail');
  return (
    <>
      <h1 className="text-2xl font-semibold">Sign in</h1>
      <LoginForm />
      <p className="text-sm text-muted">
        No account yet? <Link href="/signup" className="underline">Sign up</Link>
      </p>
    </>
  );
}
