// A TCP port free on a loopback address (127.0.0.1 unless told) right now, for a server that must be told its
// port before it starts (Dovecot, the web app); servers of our own listen on
// port 0 instead.
import { createServer } from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
