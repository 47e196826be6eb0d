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
port.on('message', async (message: { requests: DeliveryRequest[] } | 'close') => {
  if (message === 'close') {
    clearTimeout(pause);
    writeTexts();
    batches.close();
    port.close();
    return;
  }
  clearTimeout(pause);
  // Texts are taken out before the commit and worked out after the answer.
  const outcomes = await commitRetrying(batches.commit, texts.take(message.requests.map(revived)));
  port.postMessage({ outcomes: outcomes.map(transferable) }, released());
  // After the answer, so no delivery's 250 waits for them.
  texts.work();
  hold(message.requests.flatMap((request) => request.map((delivery) => delivery.prepared.content.raw.buffer as ArrayBuffer)));
  if (texts.due) writeTexts();
  else if (texts.pending) pause = setTimeout(writeTexts, TEXT_PAUSE_MS);
  batches.checkpointIfDue();
});
port.postMessage('ready');
