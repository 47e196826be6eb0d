// RFC 1939 4 / RFC 2449 8.1.1 [IN-USE]: one POP3 session per maildrop.
//
// Two layers, both without a table of their own:
// - In this process, a set keyed by database and account.
// - With PostgreSQL, where several daemons share one database, a
//   session-level advisory lock per account, held on one connection that the
//   locks own. If a daemon dies, PostgreSQL drops the connection and with it
//   the locks, so no lease can outlive its holder. If that connection breaks
//   while the daemon runs, the sessions open then lose their cross-daemon
//   lock (logged); new logins open a new connection.
// SQLite is one machine's file; the in-process set covers its one daemon.
import pg from 'pg';
import type { Database } from '../../prisma/database.ts';

/** Releases a maildrop lock; safe to call twice. */
export type MaildropRelease = () => Promise<void>;

// The two-key form of pg_try_advisory_lock: this constant names "POP3 maildrop"
// ('POP3' in ASCII), the second key is the account id.
const ADVISORY_CLASS = 0x504f5033;

const heldInProcess = new Set<string>();

export class MaildropLocks {
  private client: Promise<pg.Client> | null = null;

  constructor(
    private readonly database: Pick<Database, 'engine' | 'url'>,
    private readonly log: (message: string) => void,
  ) {}

  /** Takes the lock, or returns null when another session (here or in another daemon) holds it. */
  async acquire(accountId: number): Promise<MaildropRelease | null> {
    const key = `${this.database.url}\n${accountId}`;
    if (heldInProcess.has(key)) return null;
    heldInProcess.add(key);
    let unlockRemote: (() => Promise<void>) | null = null;
    try {
      if (this.database.engine === 'postgres') {
        const client = await this.connection();
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [ADVISORY_CLASS, accountId]);
        if (!rows[0].locked) {
          heldInProcess.delete(key);
          return null;
        }
        unlockRemote = async () => {
          await client.query('SELECT pg_advisory_unlock($1, $2)', [ADVISORY_CLASS, accountId]);
        };
      }
    } catch (error) {
      heldInProcess.delete(key);
      throw error;
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      heldInProcess.delete(key);
      // A broken connection has released the advisory lock already.
      await unlockRemote?.().catch((error) => this.log(`pop3: releasing the maildrop lock of account ${accountId}: ${error}`));
    };
  }

  private connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const connecting: Promise<pg.Client> = (async () => {
      const client = new pg.Client({ connectionString: this.database.url });
      const lost = (why: string) => {
        if (this.client !== connecting) return;
        this.log(`pop3: maildrop lock connection lost (${why}); sessions open now are locked in this daemon only`);
        this.client = null;
      };
      client.on('error', (error) => lost(error.message));
      client.on('end', () => lost('closed by the server'));
      try {
        await client.connect();
      } catch (error) {
        this.client = null;
        throw error;
      }
      return client;
    })();
    this.client = connecting;
    return connecting;
  }

  /** Closes the lock connection (which releases any advisory lock still held). */
  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) await (await client.catch(() => null))?.end().catch(() => undefined);
  }
}
