import type { ReactNode } from 'react';
import { requireSetupDone } from '../_lib/session.ts';

export const dynamic = 'force-dynamic';

export default async function AuthLayout({ children }: { children: ReactNode }) {
  await requireSetupDone();
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-4 px-4 py-10">
      <p className="text-center text-lg font-semibold"><span aria-hidden="true">✉</span> Mail</p>
      <div className="flex flex-col gap-5 rounded-xl border border-border bg-surface p-6 shadow-sm">{children}</div>
    </main>
  );
}
