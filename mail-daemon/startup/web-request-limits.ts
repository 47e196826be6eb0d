// Bodies of the web app's public POST endpoints, bounded before anything
// reads them: next-auth reads a sign-in request whole (req.json/req.text), as
// the Autodiscover route does its XML, before any check of the client. A
// sign-in form or an Autodiscover request is a few hundred bytes; anything
// without a declared length, or over SMALL_BODY_BYTES, is refused unread
// (RFC 9110 15.5.12 411, 15.5.14 413).
import type { IncomingMessage } from 'node:http';

export const SMALL_BODY_BYTES = 16 * 1024;

// Sign-in, sign-out and next-auth's other POSTs; Outlook's Autodiscover in either spelling.
const SMALL_BODY_PATHS = [/^\/api\/auth\//, /^\/autodiscover\/autodiscover\.xml$/i];

/** The status that refuses the request before its body is read, or null to let it through. */
export function bodyRefusal(request: Pick<IncomingMessage, 'method' | 'url' | 'headers'>): 411 | 413 | null {
  if (request.method !== 'POST') return null;
  const path = (request.url ?? '').split('?')[0];
  if (!SMALL_BODY_PATHS.some((pattern) => pattern.test(path))) return null;
  const declared = request.headers['content-length'];
  if (declared === undefined) return 411;
  return Number(declared) > SMALL_BODY_BYTES ? 413 : null;
}
