// The folder list with counts (GET) and creating a folder (POST { name }).
import { createMailbox } from '@/mail-daemon/store/mailboxes.ts';
import { listFolders } from '@/mail-daemon/webmail/folders.ts';
import { mailRoute } from '../_lib/mail-route.ts';

export const dynamic = 'force-dynamic';

export const GET = mailRoute(async ({ store, account }) => Response.json({ folders: await listFolders(store, account.id) }));

export const POST = mailRoute(async ({ store, account }, request) => {
  const { name } = (await request.json()) as { name?: unknown };
  const mailbox = await createMailbox(store, account.id, String(name ?? '').trim(), { subscribe: true });
  return Response.json({ id: mailbox.id, name: mailbox.name }, { status: 201 });
});
