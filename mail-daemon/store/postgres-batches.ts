// The PostgreSQL delivery writer's commits (delivery-writer.ts): one
// connection for the batches, named prepared statements; a batch is one
// statement when it can be (delivery-statement.ts), else steps
// (delivery-batch.ts); its commit never blocks the thread. The search texts
// are worked out after the answers and written on a second connection
// (deferred-text-index.ts). In the daemon this runs on the delivery thread
// (delivery-thread.ts): building the statement, the driver's writes and
// reads for it, and the texts were a fifth of the main thread's time with 8
// pipelined SMTP sessions (issue 12); elsewhere in the process.
import pg from 'pg';
import { batchStatement } from './delivery-statement.ts';
import { batchSteps, commitRetrying, type Batches, type DeliveryRequest, type Outcome } from './delivery-batch.ts';
import { DeferredTextIndex } from './deferred-text-index.ts';
import { postgresPool, postgresStatements } from './driver-statements.ts';
import { runAsyncCombined } from './sql-steps.ts';
import { isRetryable } from './transaction.ts';

/** Work on one connection of `pool`; after a failure the connection is dropped (its ROLLBACK may have failed too). */
function onConnection(pool: pg.Pool) {
  return async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let failed: Error | undefined;
    try {
      return await work(client);
    } catch (error) {
      failed = error as Error;
      throw error;
    } finally {
      client.release(failed);
    }
  };
}

/**
 * A batch's commit on a connection of `pool`: one statement when it can be,
 * else steps. `execute` names the statements of every connection of the pool.
 */
function batchCommit(pool: pg.Pool, execute: ReturnType<typeof postgresStatements>, origin: string): (requests: DeliveryRequest[]) => Promise<Outcome[]> {
  return (requests) =>
    onConnection(pool)(async (client) => {
      const single = batchStatement(origin, requests);
      if (single) {
        const rows = await execute(client, single.statement).catch((error: unknown) => {
          // Refused by the server (an SQLSTATE), nothing was committed: step by
          // step, each delivery gets its own outcome. A connection lost may have
          // lost the answer to a commit: the batch fails, as a lost COMMIT does.
          if (isRetryable(error) || !(error instanceof pg.DatabaseError)) throw error;
          return null;
        });
        if (rows) return single.outcomes(rows);
      }
      return runAsyncCombined(batchSteps('BEGIN', 'postgres', origin, requests), (statement) => execute(client, statement));
    });
}

/**
 * Commits on a connection of its own, without search texts (the caller has
 * them written elsewhere): the daemon's main thread commits a quiet delivery
 * here (delivery-writer.ts). A retryable failure (a deadlock) throws.
 */
export function postgresCommits(url: string, origin: string, name: string): { commit(requests: DeliveryRequest[]): Promise<Outcome[]>; close(): Promise<void> } {
  const pool = postgresPool(url, 1, name);
  return { commit: batchCommit(pool, postgresStatements(), origin), close: () => pool.end() };
}

/** Commits on `url` for the process whose change notices carry `origin` (change-bus.ts). */
export function postgresBatches(url: string, origin: string): Batches & { committedElsewhere(requests: DeliveryRequest[]): void } {
  // One connection for the batches, one for the search texts written after them.
  const pool = postgresPool(url, 2);
  const execute = postgresStatements();
  const commit = batchCommit(pool, execute, origin);
  const texts = new DeferredTextIndex((steps) => onConnection(pool)((client) => runAsyncCombined(steps, (statement) => execute(client, statement))), 'postgres');
  let writing: Promise<void> = Promise.resolve();
  let closed = false;
  // A slice at a time; failing, they are tried again after a pause or with the next ones; a search indexes what is still missing meanwhile.
  const writeTexts = (): Promise<void> =>
    (writing = writing
      .then(() => texts.write())
      .then(
        () => texts.continueLater(writeTexts),
        () => texts.retryLater(writeTexts),
      ));
  return {
    async commit(requests) {
      texts.cancelPause();
      // Taken before commitRetrying, the texts are not worked out before the commit but once deliveries pause (texts.afterCommit).
      const outcomes = await commitRetrying(commit, texts.take(requests)).finally(() => texts.release(requests));
      // Once the answers have gone (the batch's jobs are settled when this returns), so no delivery's 250 waits for the texts.
      setImmediate(() => {
        if (!closed) texts.afterCommit(writeTexts);
      });
      return outcomes;
    },
    committedElsewhere(requests) {
      // Their texts, which the connection that committed them left out.
      texts.cancelPause();
      texts.take(requests, true);
      if (!closed) texts.afterCommit(writeTexts);
    },
    async close() {
      closed = true;
      texts.close();
      await writing;
      await texts.finish();
      await pool.end();
    },
  };
}
