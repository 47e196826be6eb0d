// One page of a folder's message list: ?cursor=...&limit=50&threads=1&order=oldest.
import { listMessagePage } from '@/mail-daemon/webmail/message-list.ts';
import { idOf, mailRoute } from '../../../_lib/mail-route.ts';

export const dynamic = 'force-dynamic';

export const GET = mailRoute<{ folderId: string }>(async ({ store, account }, request, { folderId }) => {
  const query = new URL(request.url).searchParams;
  const page = await listMessagePage(store, account.id, idOf(folderId), {
    cursor: query.get('cursor'),
    limit: Number(query.get('limit') ?? 50) || 50,
    threads: query.get('threads') === '1',
    order: query.get('order') === 'oldest' ? 'oldest' : 'newest',
  });
  return Response.json(page);
});
