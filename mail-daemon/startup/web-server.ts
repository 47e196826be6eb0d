// The web app's HTTP server: Next's request handler behind a plain Node
// server that says who the client is. `next start` keeps an X-Forwarded-For
// that the client sent, so per-address limits (sign-in, signup) could be
// dodged with a new made-up address each time. Here the header is set from
// the socket, unless TRUST_PROXY=true says a reverse proxy in front sets it.
// Started by start-web.ts once the build is fresh: web-server.ts HOST PORT.
import { createServer } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { loadConfig } from '../config.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [hostname, portText] = process.argv.slice(2);
const port = Number(portText);
// start-web.ts checked the configuration before starting this.
const { trustProxy } = loadConfig();

const app = next({ dev: false, dir: root, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((request, response) => {
  if (!trustProxy || !request.headers['x-forwarded-for']) request.headers['x-forwarded-for'] = request.socket.remoteAddress ?? 'unknown';
  void handle(request, response);
});
server.listen(port, hostname, () => console.log(`web app listening on http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close();
    void app.close().finally(() => process.exit(0));
    // Open keep-alive connections must not hold the exit.
    setTimeout(() => process.exit(0), 3000).unref();
  });
}
