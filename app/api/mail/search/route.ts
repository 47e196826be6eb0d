// Search: ?q= in the search box's language (from:, to:, subject:, has:attachment,
// is:unread, is:flagged, before:, after:, in:folder, "phrases"; see
// mail-daemon/webmail/search-query.ts) &cursor=
import { searchByQuery } from '@/mail-daemon/webmail/search.ts';
import { mailRoute } from '../_lib/mail-route.ts';

export const dynamic = 'force-dynamic';

export const GET = mailRoute(async ({ store, account }, request) => {
  const q = new URL(request.url).searchParams;
  return Response.json(await searchByQuery(store, account.id, q.get('q') ?? '', { cursor: q.get('cursor'), limit: 50 }));
});
