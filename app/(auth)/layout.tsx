import type { ReactNode } from 'react';
import { requireSetupDone } from '../_lib/session.ts';

export const dynamic = 'force-dynamic';

export default async function AuthLayout({ children }: { children: ReactNode }) {
  await requireSetupDone();
  return <main className="mx-auto flex max-w-md flex-col gap-6 px-6 py-16">{children}</main>;
}
