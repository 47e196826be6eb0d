// Group commit: store writes that arrive while another commit is in flight
// wait and then share one transaction, so one commit (one fsync on SQLite)
// covers many messages. Each caller is answered only after that shared commit.
// When a shared transaction fails, its writes run again one by one, so one
// bad write (over quota, missing mailbox) fails alone and the others commit.
// A write must be safe to run again (every transaction may be retried anyway).
import { mutate, type MailStore } from './context.ts';
import type { StoreChange } from './change-bus.ts';
import type { Tx } from './transaction.ts';

type Write<T> = (tx: Tx, changes: StoreChange[]) => Promise<T>;

interface Pending {
  write: Write<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Batcher {
  waiting: Pending[];
  committing: boolean;
}

/** Enough to amortise the fsync; small enough that a transaction stays short. */
const MAX_BATCH = 64;

const batchers = new WeakMap<MailStore, Batcher>();

/** Like `mutate`, but shares a transaction with the writes that queue up meanwhile. */
export function mutateGrouped<T>(store: MailStore, write: Write<T>): Promise<T> {
  let batcher = batchers.get(store);
  if (!batcher) batchers.set(store, (batcher = { waiting: [], committing: false }));
  const queued = new Promise<T>((resolve, reject) => {
    batcher.waiting.push({ write, resolve: resolve as (value: unknown) => void, reject });
  });
  if (!batcher.committing) void drain(store, batcher);
  return queued;
}

async function drain(store: MailStore, batcher: Batcher): Promise<void> {
  batcher.committing = true;
  try {
    while (batcher.waiting.length > 0) await commitBatch(store, batcher.waiting.splice(0, MAX_BATCH));
  } finally {
    batcher.committing = false;
  }
}

async function commitBatch(store: MailStore, batch: Pending[]): Promise<void> {
  if (batch.length > 1) {
    try {
      const values = await mutate(store, async (tx, changes) => {
        const results: unknown[] = [];
        for (const { write } of batch) results.push(await write(tx, changes));
        return results;
      });
      batch.forEach((pending, i) => pending.resolve(values[i]));
      return;
    } catch {
      // Fall through: each write alone, so only the one at fault fails.
    }
  }
  for (const pending of batch) {
    await mutate(store, pending.write).then(pending.resolve, pending.reject);
  }
}
