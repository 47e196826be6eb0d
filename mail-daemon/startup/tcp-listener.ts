// A TCP listener for the line protocols we write ourselves (IMAP, POP3):
// plain, or with implicit TLS, on host:port (0: any free port). Every socket
// passes its service's ConnectionGate; one over a limit gets the protocol's
// refusal line instead of a session.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { ConnectionGate, Refusal } from '../limits/connection-gate.ts';

export interface ListenOptions {
  host: string;
  port: number;
  /** Key and cert for implicit TLS (993, 995); absent for a plain listener. */
  implicitTls?: { key: Buffer | string; cert: Buffer | string };
  gate: ConnectionGate;
  /** The line that tells a client why it is refused (with its CRLF). */
  refusal: (why: Refusal) => string;
  onSocket: (socket: Socket, secure: boolean) => void;
  onError: (error: Error) => void;
}

/** Starts listening and resolves with the server and the bound port. */
export async function listenTcp(options: ListenOptions): Promise<{ server: Server; port: number }> {
  const { implicitTls, gate } = options;
  const accept = (socket: Socket, secure: boolean) => {
    const refusal = gate.refusalOf(socket);
    if (!refusal) return options.onSocket(socket, secure);
    socket.on('error', () => undefined);
    socket.end(options.refusal(refusal), () => socket.destroy());
  };
  const server = implicitTls
    ? // tls.createServer takes key and cert itself; a secureContext option is only for TLSSocket.
      createTlsServer({ key: implicitTls.key, cert: implicitTls.cert }, (socket) => accept(socket, true))
    : createServer((socket) => accept(socket, false));
  gate.watch(server);
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

/** What a listener needs of one connection's session to shut it down. */
export interface ListenedSession {
  /** Ends the session at once, telling the client why (IMAP BYE, POP3 -ERR). */
  terminate(): void;
  /** Settles once the connection is closed and the session's work is written. */
  readonly finished: Promise<void>;
}

/**
 * The listeners of one service (a plain port and an implicit-TLS port) and
 * the sessions open on them, so that close() stops listening and waits for
 * every session to finish.
 */
export class SessionListeners<Session extends ListenedSession> {
  readonly sessions = new Set<Session>();
  private readonly servers: Server[] = [];

  constructor(
    private readonly options: Pick<ListenOptions, 'gate' | 'refusal'> & {
      /** The service's name in log lines. */
      service: string;
      tls: { key: Buffer | string; cert: Buffer | string };
      log: (message: string) => void;
      createSession: (socket: Socket, secure: boolean) => Session;
    },
  ) {}

  /** Listens on host:port (0: any free port) and returns the bound port. */
  async listen(host: string, port: number, implicitTls: boolean): Promise<number> {
    const { server, port: bound } = await listenTcp({
      host,
      port,
      implicitTls: implicitTls ? this.options.tls : undefined,
      gate: this.options.gate,
      refusal: this.options.refusal,
      onSocket: (socket, secure) => {
        const session = this.options.createSession(socket, secure);
        this.sessions.add(session);
        void session.finished.then(() => this.sessions.delete(session));
      },
      onError: (error) => this.options.log(`${this.options.service}: listener error: ${error}`),
    });
    this.servers.push(server);
    return bound;
  }

  /** Stops listening, ends every session and waits until their work is written. */
  async close(): Promise<void> {
    await Promise.all([
      ...this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      ...[...this.sessions].map((session) => {
        session.terminate();
        return session.finished;
      }),
    ]);
  }
}
