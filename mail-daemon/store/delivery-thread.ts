// The SQLite delivery writer on a thread of its own (started by the daemon,
// delivery-writer.ts): the statements and the fsync of each batch's commit
// run here, so the main thread keeps reading, parsing and checking the next
// messages meanwhile, on the machine's other core, instead of waiting for the
// disk (issue 12). One batch at a time; the main thread gathers the next.
import { parentPort, workerData } from 'node:worker_threads';
import { commitRetrying, revived, sqliteBatches, transferable, type DeliveryRequest } from './delivery-batch.ts';
import { DeferredTextIndex } from './deferred-text-index.ts';

// Deliveries' search texts are written once deliveries pause this long (or enough wait).
const TEXT_PAUSE_MS = 100;

const { path, origin } = workerData as { path: string; origin: string };
const batches = sqliteBatches(path, origin);
const texts = new DeferredTextIndex((steps) => batches.run(steps));
let pause: NodeJS.Timeout | undefined;
const writeTexts = () => {
  try {
    texts.write();
  } catch {
    // Busy or failing: tried again after the next batch; a search indexes what is still missing.
  }
};
const port = parentPort!;
port.on('message', async (message: { requests: DeliveryRequest[] } | 'close') => {
  if (message === 'close') {
    clearTimeout(pause);
    writeTexts();
    batches.close();
    port.close();
    return;
  }
  clearTimeout(pause);
  const outcomes = await commitRetrying((requests) => batches.commit(texts.take(requests)), message.requests.map(revived));
  // The messages' blocks go back with the answer, to be dropped there: this
  // thread allocates little, so its isolate collects seldom and would keep
  // every block it was sent (a 50 MB message each).
  const blocks = new Set(message.requests.flatMap((request) => request.map((delivery) => delivery.prepared.content.raw.buffer as ArrayBuffer)));
  port.postMessage(outcomes.map(transferable), [...blocks]);
  // After the answer, so no delivery's 250 waits for them.
  if (texts.due) writeTexts();
  else if (texts.pending) pause = setTimeout(writeTexts, TEXT_PAUSE_MS);
  batches.checkpointIfDue();
});
port.postMessage('ready');
