// The daemon's delivery writer on a thread of its own (started by the daemon,
// delivery-writer.ts), so the main thread keeps reading, parsing and checking
// the next messages meanwhile, on the machine's other core (issue 12).
// SQLite: the statements and the fsync of each batch's commit, instead of
// waiting for the disk. PostgreSQL (postgres-batches.ts): building the
// batch's statement, the driver's work for it and the search texts, a fifth
// of the main thread's time with 8 pipelined SMTP sessions. One batch at a
// time; the main thread gathers the next.
import { parentPort, workerData } from 'node:worker_threads';
import { sqlitePath, type Engine } from '../../prisma/database.ts';
import { commitRetrying, revived, sqliteBatches, transferable, type Batches, type DeliveryRequest } from './delivery-batch.ts';
import { DeferredTextIndex } from './deferred-text-index.ts';
import { postgresBatches } from './postgres-batches.ts';

/**
 * SQLite's batches with their search texts, on this thread's own connection,
 * synchronously; and the texts and WAL pages of deliveries the main thread
 * committed itself (committedElsewhere).
 */
function sqliteOnThisThread(path: string, origin: string, checkpointed: () => void): Batches & { committedElsewhere(requests: DeliveryRequest[]): void } {
  const batches = sqliteBatches(path, origin, { checkpointed });
  const texts = new DeferredTextIndex((steps) => batches.run(steps));
  // A slice at a time, the next one unless deliveries come first.
  const writeTexts = () => {
    try {
      texts.write();
      texts.continueLater(writeTexts);
    } catch {
      // Busy or failing: tried again after a pause or with the next batch; a search indexes the texts still missing meanwhile.
      texts.retryLater(writeTexts);
    }
  };
  const afterCommit = () => {
    texts.afterCommit(writeTexts);
    batches.checkpointIfDue();
  };
  return {
    async commit(requests) {
      texts.cancelPause();
      // Texts are taken out before the commit; worked out and written once deliveries pause.
      const outcomes = await commitRetrying(batches.commit, texts.take(requests)).finally(() => texts.release(requests));
      // After the answer (it is posted before this turn ends), so no delivery's 250 waits for them.
      setImmediate(afterCommit);
      return outcomes;
    },
    committedElsewhere(requests) {
      texts.cancelPause();
      texts.take(requests, true);
      batches.written(requests);
      afterCommit();
    },
    async close() {
      // Synchronous on SQLite: written before the connection closes.
      await texts.finish();
      batches.close();
    },
  };
}

const { engine, url, origin, checkpoints } = workerData as { engine: Engine; url: string; origin: string; checkpoints: Int32Array };
// Each checkpoint here is counted where the main thread's quiet connection sees it (delivery-writer.ts).
const batches = engine === 'sqlite' ? sqliteOnThisThread(sqlitePath(url), origin, () => Atomics.add(checkpoints, 0, 1)) : postgresBatches(url, origin);
const port = parentPort!;

// The messages' blocks go back to the main thread, to be dropped there: this
// thread allocates little, so its isolate collects seldom and would keep
// every block it was sent. They ride with the next answer, or go at once
// past HELD_BYTES: a message of their own would wake the main thread once
// more per delivery (issue 12).
const HELD_BYTES = 1024 * 1024;
const held: ArrayBuffer[] = [];
let heldBytes = 0;
function hold(blocks: ArrayBuffer[]): void {
  for (const block of new Set(blocks)) {
    held.push(block);
    heldBytes += block.byteLength;
  }
  if (heldBytes >= HELD_BYTES) port.postMessage({ dropped: held.length }, released());
}
function released(): ArrayBuffer[] {
  heldBytes = 0;
  return held.splice(0);
}
port.on('message', async (message: { requests: DeliveryRequest[] } | { committed: DeliveryRequest[] } | 'close') => {
  if (message === 'close') {
    await batches.close();
    port.close();
    return;
  }
  if ('committed' in message) {
    // Committed on the main thread (delivery-writer.ts): their texts (and on SQLite WAL pages) are this thread's.
    batches.committedElsewhere(message.committed.map(revived));
    hold(message.committed.flatMap((request) => request.map((delivery) => delivery.prepared.content.raw.buffer as ArrayBuffer)));
    return;
  }
  const outcomes = await batches.commit(message.requests.map(revived));
  port.postMessage({ outcomes: outcomes.map(transferable) }, released());
  // After the big messages' texts are worked out (the batches do that in a setImmediate of the commit's, which runs first; smaller ones are copied): a block sent back is gone here.
  const blocks = message.requests.flatMap((request) => request.map((delivery) => delivery.prepared.content.raw.buffer as ArrayBuffer));
  setImmediate(() => hold(blocks));
});
port.postMessage('ready');
