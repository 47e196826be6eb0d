// The frame of every signed-in page: navigation by role, and sign-out.
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { AccountView } from '@/mail-daemon/accounts/accounts.ts';
import { SignOutButton } from './sign-out-button.tsx';

export function PageShell({ account, title, children }: { account: AccountView; title: string; children: ReactNode }) {
  return (
    <div className="mx-auto flex max-w-5xl flex-col gap-6 px-6 py-8">
      <nav className="flex flex-wrap items-center gap-4 border-b border-border pb-3 text-sm">
        <span className="font-semibold">Mail</span>
        <Link href="/settings">Settings</Link>
        <Link href="/domains">Domains</Link>
        {account.role === 'admin' ? (
          <>
            <Link href="/admin">Platform</Link>
            <Link href="/admin/queue">Queue</Link>
            <Link href="/admin/log">Delivery log</Link>
          </>
        ) : null}
        <span className="ml-auto text-muted" data-testid="signed-in-as">
          {account.address}
        </span>
        <SignOutButton />
      </nav>
      <h1 className="text-2xl font-semibold">{title}</h1>
      {children}
    </div>
  );
}

export function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="flex flex-col gap-3 rounded-lg border border-border bg-surface p-4" data-testid={testId}>
      <h2 className="font-medium">{title}</h2>
      {children}
    </section>
  );
}
