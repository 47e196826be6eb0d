// The POP3 listeners: port 110 (STLS available) and port 995 (implicit TLS,
// RFC 8314 3.3), the set of open sessions, and the login limiter and
// connection limits they share. Each connection is a Pop3Session.
import type { Server, Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { listenTcp } from '../startup/tcp-listener.ts';
import { LoginLimiter } from '../accounts/login-limiter.ts';
import type { MailStore } from '../store/context.ts';
import { MaildropLocks } from './maildrop-lock.ts';
import { Pop3Session } from './pop3-session.ts';
import { ConnectionGate, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits, type Refusal } from '../connection-gate.ts';

export interface Pop3ServerOptions {
  store: MailStore;
  hostname: string;
  tls: { key: Buffer | string; cert: Buffer | string };
  allowPlaintextLoopback: boolean;
  log: (message: string) => void;
  /** RFC 1939 3: at least 10 minutes. */
  idleTimeoutMs?: number;
  /** Until the client logs in. */
  preLoginTimeoutMs?: number;
  limiter?: LoginLimiter;
  connectionLimits?: ConnectionLimits;
}

/** RFC 3206 4: SYS/TEMP, a temporary problem on the server's side. */
function refusalLine(why: Refusal): string {
  return why === 'address' ? '-ERR [SYS/TEMP] Too many connections from your address, try again later\r\n' : '-ERR [SYS/TEMP] Too many connections to this server, try again later\r\n';
}

export class Pop3Server {
  private readonly sessions = new Set<Pop3Session>();
  private readonly servers: Server[] = [];
  private readonly secureContext: SecureContext;
  private readonly limiter: LoginLimiter;
  private readonly locks: MaildropLocks;
  private readonly gate: ConnectionGate;

  constructor(private readonly options: Pop3ServerOptions) {
    this.secureContext = createSecureContext({ key: options.tls.key, cert: options.tls.cert });
    this.limiter = options.limiter ?? new LoginLimiter(options.store.database, undefined, options.log);
    this.locks = new MaildropLocks(options.store.database, options.log);
    this.gate = new ConnectionGate(options.connectionLimits ?? DEFAULT_CONNECTION_LIMITS);
  }

  /** Listens on host:port (0: any free port) and returns the bound port. */
  async listen(host: string, port: number, implicitTls: boolean): Promise<number> {
    const { server, port: bound } = await listenTcp({
      host,
      port,
      implicitTls: implicitTls ? this.options.tls : undefined,
      gate: this.gate,
      refusal: refusalLine,
      onSocket: (socket, secure) => this.accept(socket, secure),
      onError: (error) => this.options.log(`pop3: listener error: ${error}`),
    });
    this.servers.push(server);
    return bound;
  }

  private accept(socket: Socket, secure: boolean): void {
    const session = new Pop3Session(
      socket,
      {
        store: this.options.store,
        limiter: this.limiter,
        locks: this.locks,
        hostname: this.options.hostname,
        secureContext: this.secureContext,
        allowPlaintextLoopback: this.options.allowPlaintextLoopback,
        idleTimeoutMs: this.options.idleTimeoutMs ?? 10 * 60_000,
        preLoginTimeoutMs: this.options.preLoginTimeoutMs ?? 60_000,
        log: this.options.log,
      },
      secure,
    );
    this.sessions.add(session);
    void session.finished.then(() => this.sessions.delete(session));
  }

  /** Stops listening, ends every session and waits until their work is written. */
  async close(): Promise<void> {
    await Promise.all(
      this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))).concat(
        [...this.sessions].map((session) => {
          session.terminate();
          return session.finished;
        }),
      ),
    );
    await this.locks.close();
  }
}
