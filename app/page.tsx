import { redirect } from 'next/navigation';
import { currentAccount, requireSetupDone } from './_lib/session.ts';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  await requireSetupDone();
  redirect((await currentAccount()) ? '/mail' : '/login');
}
