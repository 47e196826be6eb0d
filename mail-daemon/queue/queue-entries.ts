// The queue's rows as the runner reads and writes them around a delivery
// attempt, straight on the database driver (issue 12: through Prisma each
// statement cost about a millisecond, most of a sent message's time):
// claimed entries are read together, and the outcomes of attempts that end
// at the same time are written in one transaction (one fsync on SQLite), each
// attempt in a savepoint of its own so that one that fails leaves the others.
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { Database } from '../../prisma/database.ts';
import { asBoolean, asDate, driverReaderFor } from '../store/driver-reads.ts';
import { driverWriterFor } from '../store/driver-transaction.ts';
import { collectUnusedContentSteps, wholeContent } from '../store/content.ts';
import type { Steps } from '../store/sql-steps.ts';
import { deliveryLogSteps } from '../delivery/delivery-log.ts';
import type { RecipientResult } from './smtp-delivery.ts';

export interface QueueEntry {
  id: number;
  contentHash: string;
  mailFrom: string;
  createdAt: Date;
  attempts: number;
  delayNotified: boolean;
  receivedId: string;
  raw: Buffer;
  /** Pending recipients, in the order they were queued. */
  recipients: { address: string; domain: string }[];
}

/** The entries of `ids` that `token` holds, with their pending recipients and content. */
export async function loadClaimedEntries(database: Database, ids: number[], token: string): Promise<QueueEntry[]> {
  if (ids.length === 0) return [];
  const reader = driverReaderFor(database);
  const [entries, recipients] = await Promise.all([
    reader.rows(Prisma.sql`SELECT q."id", q."contentHash", q."mailFrom", q."createdAt", q."attempts", q."delayNotified", q."receivedId", c."raw", c."size"
      FROM "QueueMessage" q JOIN "MessageContent" c ON c."hash" = q."contentHash"
      WHERE q."id" IN (${Prisma.join(ids)}) AND q."leaseOwner" = ${token}`),
    reader.rows(Prisma.sql`SELECT "queueId", "address", "domain" FROM "QueueRecipient"
      WHERE "queueId" IN (${Prisma.join(ids)}) AND "status" = 'pending' ORDER BY "id"`),
  ]);
  const byEntry = new Map<number, QueueEntry['recipients']>();
  for (const r of recipients) {
    const id = Number(r.queueId);
    byEntry.set(id, [...(byEntry.get(id) ?? []), { address: String(r.address), domain: String(r.domain) }]);
  }
  return Promise.all(entries.map(async (e) => {
    const raw = await wholeContent(database, String(e.contentHash), e.raw as Uint8Array, Number(e.size));
    return {
      id: Number(e.id),
      contentHash: String(e.contentHash),
      mailFrom: String(e.mailFrom),
      createdAt: asDate(e.createdAt)!,
      attempts: Number(e.attempts),
      delayNotified: asBoolean(e.delayNotified),
      receivedId: String(e.receivedId),
      raw,
      recipients: byEntry.get(Number(e.id)) ?? [],
    };
  }));
}

/** What one attempt changes: the entry (its lease released), each recipient's state, the delivery log. */
export interface AttemptRecord {
  entry: QueueEntry;
  token: string;
  now: Date;
  /** Deferred: when to try again, and whether the delay notice went out now. */
  retry: { nextAttemptAt: Date; delayNotified: boolean } | null;
  /** The queue stopped during the attempt: it does not count. */
  stopped: boolean;
  lastError: string | null;
  /** Settled (and deferred) recipients; abandoned ones are left as they are. */
  outcomes: RecipientResult[];
  messageId: string;
}

/** False when the lease was no longer ours (nothing written). */
function* recordAttemptSteps(record: AttemptRecord): Steps<boolean> {
  const { entry, token, now, retry, stopped, lastError } = record;
  const counted = stopped && !retry ? Prisma.empty : Prisma.sql`, "attempts" = "attempts" + 1, "lastError" = ${lastError}`;
  const retried = retry ? Prisma.sql`, "nextAttemptAt" = ${retry.nextAttemptAt}, "delayNotified" = ${retry.delayNotified}` : Prisma.empty;
  const held = yield Prisma.sql`UPDATE "QueueMessage" SET "leaseOwner" = NULL, "leaseUntil" = NULL${counted}${retried}
    WHERE "id" = ${entry.id} AND "leaseOwner" = ${token} RETURNING "id"`;
  if (held.length === 0) return false;
  const settled = record.outcomes.filter((r) => r.outcome !== 'abandoned');
  for (const r of settled) {
    const status = r.outcome === 'deferred' ? 'pending' : r.outcome;
    yield Prisma.sql`UPDATE "QueueRecipient" SET "status" = ${status}, "lastError" = ${r.outcome === 'delivered' ? null : r.detail}, "updatedAt" = ${now}
      WHERE "queueId" = ${entry.id} AND "address" = ${r.address}`;
  }
  for (const r of settled) {
    yield* deliveryLogSteps({
      kind: 'outbound',
      mailFrom: entry.mailFrom,
      rcptTo: r.address,
      status: r.outcome,
      detail: `${r.status} ${r.remoteMta ? `${r.remoteMta}: ` : ''}${r.detail}`.slice(0, 1000),
      messageId: record.messageId,
      queueId: entry.id,
      receivedId: entry.receivedId,
    });
  }
  const [{ pending }] = yield Prisma.sql`SELECT count(*) AS "pending" FROM "QueueRecipient" WHERE "queueId" = ${entry.id} AND "status" = 'pending'`;
  if (Number(pending) === 0) {
    // The recipients go with it (ON DELETE CASCADE).
    yield Prisma.sql`DELETE FROM "QueueMessage" WHERE "id" = ${entry.id}`;
    yield* collectUnusedContentSteps([entry.contentHash]);
  }
  return true;
}

export type RecordResult = { ok: true; held: boolean } | { ok: false; error: unknown };

function* recordAttemptsSteps(records: AttemptRecord[]): Steps<RecordResult[]> {
  const results: RecordResult[] = [];
  for (const record of records) {
    yield Prisma.raw('SAVEPOINT attempt');
    try {
      const held = yield* recordAttemptSteps(record);
      yield Prisma.raw('RELEASE SAVEPOINT attempt');
      results.push({ ok: true, held });
    } catch (error) {
      yield Prisma.raw('ROLLBACK TO SAVEPOINT attempt');
      yield Prisma.raw('RELEASE SAVEPOINT attempt');
      results.push({ ok: false, error });
    }
  }
  return results;
}

const MAX_BATCH = 200;

/**
 * Writes attempts' outcomes, together when they end in the same turn of the
 * event loop: a queue delivering to one destination ends attempts several
 * at a time, and each commit is an fsync.
 */
export class AttemptRecorder {
  private readonly waiting: { record: AttemptRecord; settle(result: RecordResult): void }[] = [];
  private writing: Promise<void> | null = null;

  constructor(private readonly database: Database) {}

  /** True when written, false when the lease was lost; throws when the write failed. */
  async record(record: AttemptRecord): Promise<boolean> {
    const result = await new Promise<RecordResult>((settle) => {
      this.waiting.push({ record, settle });
      this.writing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.write());
    });
    if (!result.ok) throw result.error;
    return result.held;
  }

  private async write(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      const records = batch.map((w) => w.record);
      const results = await driverWriterFor(this.database)
        .transaction(() => recordAttemptsSteps(records))
        .catch((error: unknown) => records.map((): RecordResult => ({ ok: false, error })));
      batch.forEach((w, i) => w.settle(results[i]));
    }
    this.writing = null;
  }

  /** Waits for the writes in progress. */
  async flushed(): Promise<void> {
    await this.writing;
  }
}
