// The message source exactly as stored, as text the browser shows (?download=1 saves it as .eml).
import { getRawSource } from '@/mail-daemon/webmail/message-view.ts';
import { idOf, mailRoute } from '../../../_lib/mail-route.ts';

export const dynamic = 'force-dynamic';

export const GET = mailRoute<{ messageId: string }>(async ({ store, account }, request, { messageId }) => {
  const raw = await getRawSource(store, account.id, idOf(messageId));
  const download = new URL(request.url).searchParams.get('download') === '1';
  return new Response(new Uint8Array(raw), {
    headers: {
      'Content-Type': download ? 'message/rfc822' : 'text/plain; charset=utf-8',
      ...(download ? { 'Content-Disposition': `attachment; filename="message-${messageId}.eml"` } : {}),
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "sandbox; default-src 'none'; frame-ancestors 'none'",
    },
  });
});
