// The SQLite delivery writer on a thread of its own (started by the daemon,
// delivery-writer.ts): the statements and the fsync of each batch's commit
// run here, so the main thread keeps reading, parsing and checking the next
// messages meanwhile, on the machine's other core, instead of waiting for the
// disk (issue 12). One batch at a time; the main thread gathers the next.
import { parentPort, workerData } from 'node:worker_threads';
import { commitRetrying, revived, sqliteBatches, transferable, type DeliveryRequest } from './delivery-batch.ts';

const { path, origin } = workerData as { path: string; origin: string };
const batches = sqliteBatches(path, origin);
const port = parentPort!;
port.on('message', async (message: { requests: DeliveryRequest[] } | 'close') => {
  if (message === 'close') {
    batches.close();
    port.close();
    return;
  }
  const outcomes = await commitRetrying(batches.commit, message.requests.map(revived));
  port.postMessage(outcomes.map(transferable));
});
port.postMessage('ready');
