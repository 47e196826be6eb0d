// Renaming (PATCH { name }) and deleting (DELETE, with its subfolders) one folder of the account.
import { deleteMailbox, getOwnedMailbox, renameMailbox } from '@/mail-daemon/store/mailboxes.ts';
import { idOf, mailRoute } from '../../_lib/mail-route.ts';

export const dynamic = 'force-dynamic';

export const PATCH = mailRoute<{ folderId: string }>(async ({ store, account }, request, { folderId }) => {
  const mailbox = await getOwnedMailbox(store.database.prisma, account.id, idOf(folderId));
  const { name } = (await request.json()) as { name?: unknown };
  const renamed = await renameMailbox(store, account.id, mailbox.name, String(name ?? '').trim());
  return Response.json({ id: renamed.id, name: renamed.name });
});

export const DELETE = mailRoute<{ folderId: string }>(async ({ store, account }, _request, { folderId }) => {
  const mailbox = await getOwnedMailbox(store.database.prisma, account.id, idOf(folderId));
  if (mailbox.specialUse) return Response.json({ error: 'The standard folders stay.' }, { status: 400 });
  await deleteMailbox(store, account.id, mailbox.name, { recursive: true });
  return new Response(null, { status: 204 });
});
