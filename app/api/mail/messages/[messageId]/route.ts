// Opening a message (GET; ?remote=1 shows remote images): the safe HTML, text, header fields and attachments.
import { openMessage } from '@/mail-daemon/webmail/message-view.ts';
import { idOf, mailRoute } from '../../_lib/mail-route.ts';

export const dynamic = 'force-dynamic';

export const GET = mailRoute<{ messageId: string }>(async ({ store, account }, request, { messageId }) => {
  const remote = new URL(request.url).searchParams.get('remote') === '1';
  return Response.json(await openMessage(store, account.id, idOf(messageId), { allowRemote: remote }));
});
