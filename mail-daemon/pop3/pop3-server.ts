// The POP3 listeners: port 110 (STLS available) and port 995 (implicit TLS,
// RFC 8314 3.3), the set of open sessions, and the login limiter and
// connection limits they share. Each connection is a Pop3Session.
import type { Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { SessionListeners } from '../startup/tcp-listener.ts';
import { LoginLimiter } from '../accounts/login-limiter.ts';
import type { MailStore } from '../store/context.ts';
import { MaildropLocks } from './maildrop-lock.ts';
import { Pop3Session } from './pop3-session.ts';
import { ConnectionGate, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits, type Refusal } from '../limits/connection-gate.ts';

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
  private readonly secureContext: SecureContext;
  private readonly limiter: LoginLimiter;
  private readonly locks: MaildropLocks;
  private readonly listeners: SessionListeners<Pop3Session>;

  constructor(private readonly options: Pop3ServerOptions) {
    this.secureContext = createSecureContext({ key: options.tls.key, cert: options.tls.cert });
    this.limiter = options.limiter ?? new LoginLimiter(options.store.database, undefined, options.log);
    this.locks = new MaildropLocks(options.store.database, options.log);
    this.listeners = new SessionListeners({
      service: 'pop3',
      tls: options.tls,
      gate: new ConnectionGate(options.connectionLimits ?? DEFAULT_CONNECTION_LIMITS, 'pop3'),
      refusal: refusalLine,
      log: options.log,
      createSession: (socket, secure) => this.createSession(socket, secure),
    });
  }

  /** Listens on host:port (0: any free port) and returns the bound port. */
  listen(host: string, port: number, implicitTls: boolean): Promise<number> {
    return this.listeners.listen(host, port, implicitTls);
  }

  private createSession(socket: Socket, secure: boolean): Pop3Session {
    return new Pop3Session(
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
  }

  /** Stops listening, ends every session and waits until their work is written. */
  async close(): Promise<void> {
    await this.listeners.close();
    await this.locks.close();
  }
}
