// Every write to the store runs here: one short transaction, retried when the
// database says another writer got in the way (SQLite busy, PostgreSQL
// serialization failure or deadlock). Store transactions start with a write so
// that SQLite takes its write lock up front and waits (busy timeout) instead
// of failing when upgrading a read lock.
import type { Database, Db } from '../../prisma/database.ts';
import type { Prisma } from '../../prisma/generated/sqlite/client.ts';

export type Tx = Prisma.TransactionClient;

const RETRYABLE = /P2034|deadlock|could not serialize|database is locked|SQLITE_BUSY|Socket ?timeout|write conflict|P2002.*MessageContent/i;
const MAX_ATTEMPTS = 6;

export function isRetryable(error: unknown): boolean {
  const e = error as { code?: string; message?: string; meta?: unknown };
  return RETRYABLE.test(`${e?.code ?? ''} ${e?.message ?? ''} ${JSON.stringify(e?.meta ?? '')}`);
}

/** Runs `attempt` again, after a short random wait, while it fails with a retryable error. */
export async function retrying<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * n * n));
    }
  }
}

export function runTransaction<T>(database: Database | { prisma: Db }, work: (tx: Tx) => Promise<T>): Promise<T> {
  return retrying(() => database.prisma.$transaction(work, { maxWait: 20_000, timeout: 60_000 }));
}
