// Search: ?q= (body and header words) &from= &to= &subject= &since= &before= (YYYY-MM-DD) &attachment=1 &unread=1 &folder=<id> &cursor=
import { searchMessages } from '@/mail-daemon/webmail/search.ts';
import { idOf, mailRoute } from '../_lib/mail-route.ts';

export const dynamic = 'force-dynamic';

function dateParam(value: string | null, addDay = false): Date | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  if (addDay) date.setUTCDate(date.getUTCDate() + 1);
  return Number.isFinite(date.getTime()) ? date : undefined;
}

export const GET = mailRoute(async ({ store, account }, request) => {
  const q = new URL(request.url).searchParams;
  const folder = q.get('folder');
  const page = await searchMessages(
    store,
    account.id,
    {
      mailboxId: folder ? idOf(folder) : undefined,
      text: q.get('q') ?? undefined,
      from: q.get('from') ?? undefined,
      to: q.get('to') ?? undefined,
      subject: q.get('subject') ?? undefined,
      since: dateParam(q.get('since')),
      // "before" is inclusive in the form: up to the end of that day.
      before: dateParam(q.get('before'), true),
      hasAttachment: q.get('attachment') === '1',
      unread: q.get('unread') === '1',
    },
    { cursor: q.get('cursor'), limit: 50 },
  );
  return Response.json(page);
});
