// Broadcast of store changes to listeners in this process and in others (the
// web app and the daemon are separate processes, and with PostgreSQL several
// of each share one database). A change is recorded inside the transaction
// that makes it, so listeners never hear of a change that was rolled back:
// - SQLite: a ChangeEvent row, polled by the other processes;
// - PostgreSQL: pg_notify, which the server delivers at commit.
// Listeners in the same process hear it right after the commit.
// An event only says what moved; listeners read the current state themselves.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Database, Engine } from '../../prisma/database.ts';
import type { Tx } from './transaction.ts';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { runInTx, type Steps } from './sql-steps.ts';
import { driverReaderFor } from './driver-reads.ts';

export interface StoreChange {
  accountId: number;
  /** The mailbox whose messages changed; absent when the folder list changed. */
  mailboxId?: number;
  kind: 'messages-added' | 'messages-removed' | 'flags-changed' | 'mailboxes-changed';
  /** The mailbox's HIGHESTMODSEQ after the change. */
  modseq?: number;
}

export type ChangeListener = (change: StoreChange) => void;

const CHANNEL = 'mail_store_change';
const SQLITE_POLL_MS = 100;
const SQLITE_KEEP_MS = 10 * 60_000;
const POLL_ROWS = 1000;

interface Envelope {
  origin: string;
  changes: StoreChange[];
}

/** Records changes in the transaction that makes them (the delivery thread has no ChangeBus, hence a function). */
export function* changeRecordSteps(engine: Engine, origin: string, changes: StoreChange[]): Steps<StoreChange[]> {
  if (changes.length === 0) return changes;
  const payload = JSON.stringify({ origin, changes } satisfies Envelope);
  if (engine === 'sqlite') {
    yield Prisma.sql`INSERT INTO "ChangeEvent" ("createdAt", "payload") VALUES (${new Date()}, ${payload})`;
  } else {
    // pg_notify returns void, which $queryRaw cannot read: select a constant.
    yield Prisma.sql`SELECT 1 AS "notified" FROM pg_notify(${CHANNEL}, ${payload})`;
  }
  return changes;
}

/**
 * PostgreSQL: the notice for changes that a statement works out itself (the
 * delivery statement, delivery-statement.ts), `changes` being a SQL json
 * array of StoreChange; as changeRecordSteps' payload.
 */
export function postgresChangeNotice(origin: string, changes: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`pg_notify(${CHANNEL}, json_build_object('origin', ${origin}::text, 'changes', ${changes})::text)`;
}

/**
 * SQLite: drops the change rows older than `before`. Without an index on
 * createdAt (each delivery's commit wrote a page of it), the first row to
 * keep is found in id order, which reads only the rows about to go (ids
 * follow time), and those below it are deleted by id.
 */
async function pruneChangeEvents(prisma: Database['prisma'], before: Date): Promise<void> {
  const kept = await prisma.changeEvent.findFirst({ where: { createdAt: { gte: before } }, orderBy: { id: 'asc' }, select: { id: true } });
  await prisma.changeEvent.deleteMany({ where: kept ? { id: { lt: kept.id } } : { createdAt: { lt: before } } });
}

export class ChangeBus {
  private readonly emitter = new EventEmitter();
  /** This process's mark on its changes, so that it does not hear them twice. */
  readonly origin = randomUUID();
  private stopTransport?: () => Promise<void>;
  private starting?: Promise<void>;

  constructor(private readonly database: Database) {
    this.emitter.setMaxListeners(0);
  }

  /** Records changes inside `tx`; call `published` with the result after commit. */
  record(tx: Tx, changes: StoreChange[]): Promise<StoreChange[]> {
    return runInTx(tx, this.recordSteps(changes));
  }

  recordSteps(changes: StoreChange[]): Steps<StoreChange[]> {
    return changeRecordSteps(this.database.engine, this.origin, changes);
  }

  /** Tells this process's listeners; the transport tells the others. */
  published(changes: StoreChange[]): void {
    for (const change of changes) this.emitter.emit('change', change);
  }

  async subscribe(listener: ChangeListener): Promise<() => void> {
    this.emitter.on('change', listener);
    this.starting ??= this.startTransport();
    await this.starting;
    return () => this.emitter.off('change', listener);
  }

  async close(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.stopTransport?.();
    this.emitter.removeAllListeners();
  }

  private deliver(payload: string): void {
    // This process's own (PostgreSQL notifies every listener, the sender too), known without parsing it.
    if (payload.includes(this.origin)) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload);
    } catch {
      return;
    }
    this.published(envelope.changes);
  }

  private async startTransport(): Promise<void> {
    this.stopTransport = this.database.engine === 'sqlite' ? await this.pollSqlite() : await this.listenPostgres();
  }

  /**
   * SQLite: the other processes' change rows since the last poll. This
   * process's own rows are passed over in SQL, on the driver: read through
   * Prisma only to be dropped, the daemon's own deliveries' rows cost about
   * 9 us each on its main thread (2000 rows: 18 ms; this way 1.3-2.4 ms;
   * issue 12).
   */
  private async pollSqlite(): Promise<() => Promise<void>> {
    const prisma = this.database.prisma;
    const reader = driverReaderFor(this.database);
    const newestId = async () => Number((await reader.rows(Prisma.sql`SELECT max("id") AS "newest" FROM "ChangeEvent"`))[0]?.newest ?? 0);
    let lastId = await newestId();
    let lastPrune = 0;
    let busy = false;
    const timer = setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        const newest = await newestId();
        // Ours are those that name our origin (a random UUID nothing else in a payload can contain).
        const rows = newest > lastId ? await reader.rows<{ id: number; payload: string }>(Prisma.sql`SELECT "id", "payload" FROM "ChangeEvent"
          WHERE "id" > ${lastId} AND "id" <= ${newest} AND instr("payload", ${this.origin}) = 0 ORDER BY "id" LIMIT ${POLL_ROWS}`) : [];
        for (const row of rows) this.deliver(row.payload);
        // At most POLL_ROWS at a time: the rest on the next tick.
        lastId = rows.length === POLL_ROWS ? Number(rows[rows.length - 1].id) : newest;
        if (Date.now() - lastPrune > 60_000) {
          lastPrune = Date.now();
          await pruneChangeEvents(prisma, new Date(Date.now() - SQLITE_KEEP_MS));
        }
      } catch {
        // A busy database or a closing process: the next tick tries again.
      } finally {
        busy = false;
      }
    }, SQLITE_POLL_MS);
    timer.unref();
    return async () => clearInterval(timer);
  }

  private async listenPostgres(): Promise<() => Promise<void>> {
    let client: pg.Client | undefined;
    let closed = false;
    const connect = async (): Promise<void> => {
      const next = new pg.Client({ connectionString: this.database.url });
      next.on('notification', (message) => message.payload && this.deliver(message.payload));
      next.on('error', () => {
        // Reconnect: a listener that silently stops would freeze IDLE sessions.
        if (closed) return;
        setTimeout(() => void connect().catch(() => undefined), 1000).unref();
      });
      await next.connect();
      await next.query(`LISTEN ${CHANNEL}`);
      client = next;
    };
    await connect();
    return async () => {
      closed = true;
      await client?.end().catch(() => undefined);
    };
  }
}
