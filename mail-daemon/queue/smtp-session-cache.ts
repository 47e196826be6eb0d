// Open SMTP sessions to the hosts we deliver to, kept after a message that
// went well so that the next message for the same host goes over the same
// session (RFC 5321 3.3: a session may carry several transactions), as
// Postfix's connection cache does: no new TCP connection, greeting, EHLO and
// STARTTLS per message. A session waits at most IDLE_MS for its next message
// and carries at most MAX_MESSAGES; before each reuse an RSET (RFC 5321
// 4.1.1.5) makes sure it is still there and in a clean state.

// The small part of nodemailer's SMTPConnection we use; the package has no
// TypeScript declarations of its own.
export interface SmtpError extends Error {
  code?: string;
  /** Set on OpenSSL errors. */
  library?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  rejectedErrors?: SmtpError[];
  recipient?: string;
}
export interface SmtpSendInfo {
  accepted: string[];
  rejected: string[];
  rejectedErrors?: SmtpError[];
  response: string;
}

export interface SmtpConnection {
  secure: boolean;
  /** True during the STARTTLS handshake. */
  upgrading?: boolean;
  connect(callback: (error?: SmtpError) => void): void;
  send(envelope: { from: string; to: string[]; size?: number; use8BitMime?: boolean }, message: Buffer, callback: (error: SmtpError | null, info: SmtpSendInfo) => void): void;
  quit(): void;
  close(): void;
  /** RSET. */
  reset(callback: (error?: SmtpError) => void): void;
  on(event: 'error', listener: (error: SmtpError) => void): void;
  once(event: 'end', listener: () => void): void;
  /** Internal: RCPT rejections of the current transaction, which a failed DATA does not report. */
  _envelope?: { rejectedErrors?: SmtpError[] };
}

// Postfix: smtp_connection_cache_time_limit (2 s); reuse limited in time
// (smtp_connection_reuse_time_limit, 300 s) rather than count.
const IDLE_MS = 2000;
const MAX_MESSAGES = 100;

/** A connection, and the promise that fails when it drops during the current use. */
export class SmtpSession {
  messages = 0;
  /** The connection closed or failed: never to be used again. */
  ended = false;
  /** nodemailer reports a dropped connection as an 'error' event and may never call the pending callback, so every step also waits for this. */
  dropped!: Promise<never>;
  private failCurrent!: (error: SmtpError) => void;

  constructor(readonly connection: SmtpConnection) {
    connection.on('error', (error) => {
      this.ended = true;
      this.failCurrent(error);
    });
    connection.once('end', () => {
      this.ended = true;
      this.failCurrent(Object.assign(new Error('connection closed'), { code: 'ECONNECTION' }));
    });
    this.arm();
  }

  /** A fresh `dropped` for the next use. */
  arm(): void {
    this.dropped = new Promise<never>((_, reject) => {
      this.failCurrent = reject;
    });
    this.dropped.catch(() => undefined);
  }

  /** The queue is stopping: fail the current step and drop the connection. */
  abandon(): void {
    this.failCurrent(Object.assign(new Error('delivery abandoned: the queue is stopping'), { code: 'EABORT' }));
    this.connection.close();
  }
}

export class SmtpSessionCache {
  private readonly idle = new Map<string, { session: SmtpSession; timer: NodeJS.Timeout }[]>();
  private closed = false;

  /** An idle session to the destination that answered RSET, or undefined. */
  async take(key: string): Promise<SmtpSession | undefined> {
    for (let entry = this.idle.get(key)?.pop(); entry; entry = this.idle.get(key)?.pop()) {
      clearTimeout(entry.timer);
      const { session } = entry;
      // The server hung up while it waited.
      if (session.ended) continue;
      session.arm();
      try {
        await Promise.race([session.dropped, new Promise<void>((resolve, reject) => session.connection.reset((e) => (e ? reject(e) : resolve())))]);
        return session;
      } catch {
        session.connection.close();
      }
    }
    return undefined;
  }

  /** Keeps a session after a message that went well, or ends it. */
  put(key: string, session: SmtpSession): void {
    session.messages++;
    if (this.closed || session.messages >= MAX_MESSAGES) return session.connection.quit();
    const list = this.idle.get(key) ?? [];
    const entry = {
      session,
      timer: setTimeout(() => {
        list.splice(list.indexOf(entry), 1);
        session.connection.quit();
      }, IDLE_MS),
    };
    entry.timer.unref();
    list.push(entry);
    this.idle.set(key, list);
  }

  /** Ends every idle session (QUIT). */
  close(): void {
    this.closed = true;
    for (const list of this.idle.values()) {
      for (const { session, timer } of list.splice(0)) {
        clearTimeout(timer);
        session.connection.quit();
      }
    }
  }
}
