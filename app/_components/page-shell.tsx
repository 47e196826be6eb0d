// The frame of every signed-in page outside the webmail: the top bar with the
// navigation, the page's title, and its sections.
import type { ReactNode } from 'react';
import type { AccountView } from '@/mail-daemon/accounts/accounts.ts';
import { getMailStore } from '@/mail-daemon/store/context.ts';
import { navAccount } from '../_lib/nav-account.ts';
import { TopBar } from './top-bar.tsx';

export async function PageShell({ account, title, children, above }: { account: AccountView; title: string; children: ReactNode; above?: ReactNode }) {
  const nav = await navAccount(await getMailStore(), account);
  return (
    <>
      <TopBar account={nav} />
      <main className="mx-auto flex max-w-5xl flex-col gap-6 px-4 py-6 sm:px-6">
        {above}
        <h1 className="page-title break-words">{title}</h1>
        {children}
      </main>
    </>
  );
}

/** A titled card; `status` says at a glance what is on (forwarding, vacation, ...). */
export function Section({ title, children, testId, status }: { title: string; children: ReactNode; testId?: string; status?: { on: boolean; text: string } }) {
  return (
    <section className="card" data-testid={testId}>
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="section-title">{title}</h2>
        {status ? (
          <span className={`badge ${status.on ? 'border-success text-success' : 'text-muted'}`} data-testid="section-status">{status.text}</span>
        ) : null}
      </div>
      {children}
    </section>
  );
}
