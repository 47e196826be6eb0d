// The draft to start from: ?mode=reply | reply-all | forward, or edit (a saved draft reopened).
import { reopenDraft, replyDraft } from '@/mail-daemon/webmail/reply.ts';
import { idOf, mailRoute } from '../../../_lib/mail-route.ts';

export const dynamic = 'force-dynamic';

export const GET = mailRoute<{ messageId: string }>(async ({ store, account }, request, { messageId }) => {
  const mode = new URL(request.url).searchParams.get('mode');
  const id = idOf(messageId);
  if (mode === 'edit') return Response.json(await reopenDraft(store, account.id, id));
  if (mode !== 'reply' && mode !== 'reply-all' && mode !== 'forward') return Response.json({ error: 'unknown mode' }, { status: 400 });
  return Response.json(await replyDraft(store, account.id, id, mode));
});
