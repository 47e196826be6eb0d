// /mail: the Inbox.
import { redirect } from 'next/navigation';
import { forPage, requireSignedIn } from '@/app/_lib/session.ts';
import { findSpecialUseMailbox } from '@/mail-daemon/store/mailboxes.ts';

export const dynamic = 'force-dynamic';

export default async function MailHome() {
  const { store, account } = await forPage(requireSignedIn);
  const inbox = await findSpecialUseMailbox(store.database.prisma, account.id, '\\Inbox');
  redirect(inbox ? `/mail/${inbox.id}` : '/settings');
}
