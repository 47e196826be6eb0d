// Live updates as server-sent events, fed by the store's change bus: the
// page hears which folder changed and reloads what it shows. A comment line
// every 25 s keeps proxies from closing an idle stream.
import { formatServerEvent, subscribeMailEvents } from '@/mail-daemon/webmail/mail-events.ts';
import { mailRoute } from '../_lib/mail-route.ts';

export const dynamic = 'force-dynamic';

export const GET = mailRoute(async ({ store, account }, request) => {
  const encoder = new TextEncoder();
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const unsubscribe = await subscribeMailEvents(store, account.id, (event) => send(formatServerEvent(event)));
      const keepAlive = setInterval(() => send(': keep-alive\n\n'), 25_000);
      stop = () => {
        clearInterval(keepAlive);
        unsubscribe();
      };
      request.signal.addEventListener('abort', () => {
        stop();
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
      send('retry: 3000\n: connected\n\n');
    },
    cancel() {
      stop();
    },
  });
  return new Response(stream, {
    headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' },
  });
});
