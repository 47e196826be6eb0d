// Open SMTP sessions to the hosts we deliver to, kept after a message so
// that the next message for the same host goes over the same session
// (RFC 5321 3.3: a session may carry several transactions), as Postfix's
// connection cache does: no new TCP connection, greeting, EHLO and STARTTLS
// per message. A session waits at most IDLE_MS for its next message and
// carries at most MAX_MESSAGES; its next transaction begins with RSET
// (RFC 5321 4.1.1.5, in the same write when pipelined: smtp-client.ts).
import type { SmtpClient } from './smtp-client.ts';

// Postfix: smtp_connection_cache_time_limit (2 s); reuse limited in time
// (smtp_connection_reuse_time_limit, 300 s) rather than count.
const IDLE_MS = 2000;
const MAX_MESSAGES = 100;

export class SmtpSessionCache {
  private readonly idle = new Map<string, { session: SmtpClient; timer: NodeJS.Timeout }[]>();
  private closed = false;

  /** An idle session to the destination, still open as far as we know, or undefined. */
  take(key: string): SmtpClient | undefined {
    const list = this.idle.get(key);
    for (let entry = list?.pop(); entry; entry = list?.pop()) {
      clearTimeout(entry.timer);
      // The server hung up while it waited.
      if (!entry.session.ended) {
        this.forgetEmpty(key, list!);
        return entry.session;
      }
    }
    if (list) this.forgetEmpty(key, list);
    return undefined;
  }

  /** Destinations with idle sessions. */
  get destinations(): number {
    return this.idle.size;
  }

  // A destination without idle sessions is dropped: a queue that sends to ever
  // new hosts (bounces and vacation replies to made-up sender domains) would
  // otherwise keep a key for each, for as long as the daemon runs.
  private forgetEmpty(key: string, list: unknown[]): void {
    if (list.length === 0 && this.idle.get(key) === list) this.idle.delete(key);
  }

  /** Keeps a session that is in a clean state, or ends it. */
  put(key: string, session: SmtpClient): void {
    if (this.closed || session.ended || session.messages >= MAX_MESSAGES) return session.quit();
    const list = this.idle.get(key) ?? [];
    const entry = {
      session,
      timer: setTimeout(() => {
        list.splice(list.indexOf(entry), 1);
        this.forgetEmpty(key, list);
        session.quit();
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
        session.quit();
      }
    }
    this.idle.clear();
  }
}
