'use client';
// Sign-in through next-auth's credentials endpoint; its error codes become
// plain words here. A second step asks for the TOTP code when needed.
import { signIn } from 'next-auth/react';
import { useEffect, useState } from 'react';
import { localPath } from '../_lib/local-path.ts';

function describe(code: string): string {
  if (code.startsWith('rate-limited')) {
    const ms = Number(code.split(':')[1] ?? 0);
    const minutes = Math.max(1, Math.ceil(ms / 60_000));
    return `Too many failed sign-ins from your address; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
  }
  if (code === 'bad-totp') return 'That code is not right. Type the current code from your authenticator app, or an unused recovery code.';
  if (code === 'totp-required') return 'Enter the code from your authenticator app, or one of your recovery codes.';
  return 'The address or password is not right.';
}

export function LoginForm() {
  const [error, setError] = useState('');
  const [needCode, setNeedCode] = useState(false);
  const [pending, setPending] = useState(false);
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return (
    <form
      data-hydrated={hydrated}
      className="flex flex-col gap-3"
      onSubmit={async (event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        setPending(true);
        const result = await signIn('credentials', {
          address: String(data.get('address') ?? ''),
          password: String(data.get('password') ?? ''),
          code: String(data.get('code') ?? ''),
          redirect: false,
        });
        setPending(false);
        if (result?.ok && !result.error) {
          window.location.assign(localPath(new URLSearchParams(window.location.search).get('next')));
          return;
        }
        const code = result?.error ?? 'bad-credentials';
        if (code === 'totp-required') setNeedCode(true);
        setError(describe(code));
      }}
    >
      <label className="flex flex-col gap-1 text-sm">
        <span className="font-medium">Address</span>
        <input name="address" type="email" autoComplete="username" required className="rounded-md border border-border bg-background px-2 py-1.5" />
      </label>
      <label className="flex flex-col gap-1 text-sm">
        <span className="font-medium">Password</span>
        <input name="password" type="password" autoComplete="current-password" required className="rounded-md border border-border bg-background px-2 py-1.5" />
      </label>
      {needCode ? (
        <label className="flex flex-col gap-1 text-sm">
          <span className="font-medium">Authenticator code (or a recovery code)</span>
          <input name="code" autoComplete="one-time-code" autoFocus className="rounded-md border border-border bg-background px-2 py-1.5" />
        </label>
      ) : null}
      <button type="submit" disabled={pending} className="btn btn-primary">
        Sign in
      </button>
      {error ? (
        <p role="alert" data-testid="login-error" className="text-sm text-danger">
          {error}
        </p>
      ) : null}
    </form>
  );
}
