// The IMAP listeners: port 143 (STARTTLS) and 993 (implicit TLS, RFC 8314),
// the set of open sessions, the login limiter and connection limits they
// share, and the one store subscription that tells sessions about changes to
// their selected mailbox. Each connection is an ImapSession.
import type { Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { SessionListeners } from '../startup/tcp-listener.ts';
import { LoginLimiter } from '../accounts/login-limiter.ts';
import type { StoreChange } from '../store/change-bus.ts';
import type { MailStore } from '../store/context.ts';
import { ImapSession } from './imap-session.ts';
import type { CommandRate } from './command-rate.ts';
import { ConnectionGate, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits, type Refusal } from '../limits/connection-gate.ts';
import { IncomingMessageBudget } from '../limits/incoming-message-budget.ts';

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
  private readonly secureContext: SecureContext;
  private readonly limiter: LoginLimiter;
  private readonly incoming: IncomingMessageBudget;
  private readonly listeners: SessionListeners<ImapSession>;
  private unsubscribe?: () => void;

  constructor(private readonly options: ImapServerOptions) {
    this.secureContext = createSecureContext({ key: options.tls.key, cert: options.tls.cert });
    this.limiter = options.limiter ?? new LoginLimiter(options.store.database, undefined, options.log);
    this.incoming = options.incoming ?? new IncomingMessageBudget(options.maxMessageSize, options.maxMessageSize);
    this.listeners = new SessionListeners({
      service: 'imap',
      tls: options.tls,
      gate: new ConnectionGate(options.connectionLimits ?? DEFAULT_CONNECTION_LIMITS, 'imap'),
      refusal: refusalLine,
      log: options.log,
      createSession: (socket, secure) => this.createSession(socket, secure),
    });
  }

  /** Subscribes to store changes; call once before listening. */
  async start(): Promise<void> {
    this.unsubscribe = await this.options.store.bus.subscribe((change) => this.onChange(change));
  }

  private onChange(change: StoreChange): void {
    for (const session of this.listeners.sessions) {
      if (session.account?.id === change.accountId) session.notifyChange(change);
    }
  }

  /** Listens on host:port (0: any free port) and returns the bound port. */
  listen(host: string, port: number, implicitTls: boolean): Promise<number> {
    return this.listeners.listen(host, port, implicitTls);
  }

  private createSession(socket: Socket, secure: boolean): ImapSession {
    return new ImapSession(
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
  }

  /** Stops listening, says BYE to every session and waits until they are closed. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    await this.listeners.close();
  }
}
