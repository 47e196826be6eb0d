// The web app's HTTP server: Next's request handler behind a plain Node
// server that says who the client is. `next start` keeps an X-Forwarded-For
// that the client sent, so per-address limits (sign-in, signup) could be
// dodged with a new made-up address each time. Here the header is set from
// the socket, unless TRUST_PROXY=true says a reverse proxy in front sets it.
// It also puts the security headers on every answer (web-security-headers.ts)
// and, with WEB_TLS=true, serves HTTPS itself.
// Started by start-web.ts once the build is fresh: web-server.ts HOST PORT.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { loadConfig } from '../config/config.ts';
import { loadTlsCredentials } from './tls.ts';
import { newScriptNonce, reachedOverHttps, securityHeaders } from './web-security-headers.ts';
import { bodyRefusal } from './web-request-limits.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [hostname, portText] = process.argv.slice(2);
const port = Number(portText);
// start-web.ts checked the configuration before starting this.
const config = loadConfig();
const { trustProxy, webTls } = config;

const app = next({ dev: false, dir: root, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

function answer(request: IncomingMessage, response: ServerResponse): void {
  if (!trustProxy || !request.headers['x-forwarded-for']) request.headers['x-forwarded-for'] = request.socket.remoteAddress ?? 'unknown';
  const https = reachedOverHttps(request, trustProxy);
  // Next and next-auth take the scheme from X-Forwarded-Proto (next-auth
  // marks its cookies Secure over HTTPS) and the site's own address from
  // X-Forwarded-Host (where its redirects go), so only the truth reaches them.
  request.headers['x-forwarded-proto'] = https ? 'https' : 'http';
  if (!trustProxy) delete request.headers['x-forwarded-host'];
  const headers = securityHeaders(newScriptNonce(), https);
  // Next finds the nonce for its inline scripts in the request's policy.
  request.headers['content-security-policy'] = headers['Content-Security-Policy'];
  // Added as the head goes out, each unless the route set its own: Next
  // would not replace a header already set, and a message part's sandbox
  // policy must win. Node sends every head through writeHead.
  const writeHead = response.writeHead;
  response.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    for (const [name, value] of Object.entries(headers)) if (!this.hasHeader(name)) this.setHeader(name, value);
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
  const refusal = bodyRefusal(request);
  if (refusal) {
    // Connection: close, so the unread body is not taken for the next request.
    response.writeHead(refusal, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
    response.end(refusal === 411 ? 'A Content-Length is required.\n' : 'Request body too large.\n');
    return;
  }
  void handle(request, response);
}

const server = webTls ? createHttpsServer(await loadTlsCredentials(config), answer) : createServer(answer);
const scheme = webTls ? 'https' : 'http';
server.listen(port, hostname, () => console.log(`web app listening on ${scheme}://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // Ctrl-C comes from the terminal and again from start-web: stop once.
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeIdleConnections();
    void app.close().finally(() => process.exit(0));
    // Open keep-alive connections must not hold the exit.
    setTimeout(() => process.exit(0), 3000).unref();
  });
}
