// One part of a message by section number ("2", "1.2"), decoded: a download
// under its own name and type. ?inline=1 (cid: images of the reading view)
// shows images in place; anything else is always an attachment. nosniff and a
// sandbox CSP keep a hostile part from running as a page of this origin.
import { getMessagePart } from '@/mail-daemon/webmail/message-view.ts';
import { idOf, mailRoute } from '../../../../_lib/mail-route.ts';

export const dynamic = 'force-dynamic';

const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export const GET = mailRoute<{ messageId: string; path: string }>(async ({ store, account }, request, { messageId, path }) => {
  const part = await getMessagePart(store, account.id, idOf(messageId), decodeURIComponent(path));
  const inline = new URL(request.url).searchParams.get('inline') === '1' && INLINE_TYPES.has(part.contentType);
  const asciiName = part.filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return new Response(new Uint8Array(part.content), {
    headers: {
      'Content-Type': /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(part.contentType) ? part.contentType : 'application/octet-stream',
      // RFC 6266 4.3: a plain fallback name and the exact one in UTF-8 (RFC 8187).
      'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(part.filename)}`,
      'Content-Length': String(part.content.length),
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "sandbox; default-src 'none'; img-src 'self'; frame-ancestors 'none'",
      'Cache-Control': 'private, max-age=3600',
    },
  });
});
