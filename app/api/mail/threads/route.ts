// Every message of a conversation in the account's folders: ?id=<threadId>.
import { listThread } from '@/mail-daemon/webmail/message-list.ts';
import { mailRoute } from '../_lib/mail-route.ts';

export const dynamic = 'force-dynamic';

export const GET = mailRoute(async ({ store, account }, request) => {
  const threadId = new URL(request.url).searchParams.get('id') ?? '';
  return Response.json({ messages: await listThread(store, account.id, threadId) });
});
