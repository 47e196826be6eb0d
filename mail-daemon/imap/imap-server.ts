// The IMAP listeners: port 143 (STARTTLS) and 993 (implicit TLS, RFC 8314),
// the set of open sessions, the login limiter and connection limits they
// share, and the one store subscription that tells sessions about changes to
// their selected mailbox. Each connection is an ImapSession.
import type { Server, Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { listenTcp } from '../startup/tcp-listener.ts';
import { LoginLimiter } from '../accounts/login-limiter.ts';
import type { StoreChange } from '../store/change-bus.ts';
import type { MailStore } from '../store/context.ts';
import { ImapSession } from './imap-session.ts';
import type { CommandRate } from './command-rate.ts';
import { ConnectionGate, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits, type Refusal } from '../connection-gate.ts';
import { IncomingMessageBudget } from '../incoming-message-budget.ts';

export interface ImapServerOptions {
  store: MailStore;
  hostname: string;
  tls: { key: Buffer | string; cert: Buffer | string };
  allowPlaintextLoopback: boolean;
  maxMessageSize: number;
  log: (message: string) => void;
  /** RFC 3501 5.4: at least 30 minutes. */
  idleTimeoutMs?: number;
  preAuthTimeoutMs?: number;
  commandRate?: CommandRate;
  limiter?: LoginLimiter;
  connectionLimits?: ConnectionLimits;
  /** Shared with SMTP in the daemon; a server of its own otherwise (tests). */
  incoming?: IncomingMessageBudget;
}

/** RFC 9051 7.1.5: a BYE greeting refuses the connection. */
function refusalLine(why: Refusal): string {
  return why === 'address' ? '* BYE Too many connections from your address, try again later\r\n' : '* BYE [UNAVAILABLE] Too many connections to this server, try again later\r\n';
}

export class ImapServer {
  private readonly sessions = new Set<ImapSession>();
  private readonly servers: Server[] = [];
  private readonly secureContext: SecureContext;
  private readonly limiter: LoginLimiter;
  private readonly gate: ConnectionGate;
  private readonly incoming: IncomingMessageBudget;
  private unsubscribe?: () => void;

  constructor(private readonly options: ImapServerOptions) {
    this.secureContext = createSecureContext({ key: options.tls.key, cert: options.tls.cert });
    this.limiter = options.limiter ?? new LoginLimiter(options.store.database, undefined, options.log);
    this.gate = new ConnectionGate(options.connectionLimits ?? DEFAULT_CONNECTION_LIMITS);
    this.incoming = options.incoming ?? new IncomingMessageBudget(options.maxMessageSize, options.maxMessageSize);
  }

  /** Subscribes to store changes; call once before listening. */
  async start(): Promise<void> {
    this.unsubscribe = await this.options.store.bus.subscribe((change) => this.onChange(change));
  }

  private onChange(change: StoreChange): void {
    if (change.mailboxId === undefined) return;
    for (const session of this.sessions) {
      if (session.account?.id === change.accountId && session.selected?.id === change.mailboxId) session.notifyChange();
    }
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
      onError: (error) => this.options.log(`imap: listener error: ${error}`),
    });
    this.servers.push(server);
    return bound;
  }

  private accept(socket: Socket, secure: boolean): void {
    const session = new ImapSession(
      socket,
      {
        store: this.options.store,
        limiter: this.limiter,
        hostname: this.options.hostname,
        secureContext: this.secureContext,
        allowPlaintextLoopback: this.options.allowPlaintextLoopback,
        idleTimeoutMs: this.options.idleTimeoutMs ?? 30 * 60_000,
        preAuthTimeoutMs: this.options.preAuthTimeoutMs ?? 60_000,
        maxMessageSize: this.options.maxMessageSize,
        incoming: this.incoming,
        ...(this.options.commandRate ? { commandRate: this.options.commandRate } : {}),
        log: this.options.log,
      },
      secure,
      !secure,
    );
    this.sessions.add(session);
    void session.finished.then(() => this.sessions.delete(session));
  }

  /** Stops listening, says BYE to every session and waits until they are closed. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all(
      this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))).concat(
        [...this.sessions].map((session) => {
          session.terminate();
          return session.finished;
        }),
      ),
    );
  }
}
