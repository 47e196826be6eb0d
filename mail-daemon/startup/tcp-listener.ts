// A TCP listener for the line protocols we write ourselves (IMAP, POP3):
// plain, or with implicit TLS, on host:port (0: any free port).
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

export interface ListenOptions {
  host: string;
  port: number;
  /** Key and cert for implicit TLS (993, 995); absent for a plain listener. */
  implicitTls?: { key: Buffer | string; cert: Buffer | string };
  onSocket: (socket: Socket, secure: boolean) => void;
  onError: (error: Error) => void;
}

/** Starts listening and resolves with the server and the bound port. */
export async function listenTcp(options: ListenOptions): Promise<{ server: Server; port: number }> {
  const { implicitTls } = options;
  const server = implicitTls
    ? // tls.createServer takes key and cert itself; a secureContext option is only for TLSSocket.
      createTlsServer({ key: implicitTls.key, cert: implicitTls.cert }, (socket) => options.onSocket(socket, true))
    : createServer((socket) => options.onSocket(socket, false));
  // A failed TLS handshake only concerns that client.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', options.onError);
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : options.port };
}
