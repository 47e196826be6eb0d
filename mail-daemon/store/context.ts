// What every store function needs: the database and the change broadcast.
// getMailStore() gives the process's one instance; tests build their own.
import { getDatabase, type Database } from '../../prisma/database.ts';
import { ChangeBus, type StoreChange } from './change-bus.ts';
import { runTransaction, type Tx } from './transaction.ts';
import { closeDeliveryWriter } from './delivery-writer.ts';
import { closeDriverReader } from './driver-reads.ts';
import { closeDriverWriter } from './driver-transaction.ts';

export interface MailStore {
  database: Database;
  bus: ChangeBus;
}

export function createMailStore(database: Database): MailStore {
  return { database, bus: new ChangeBus(database) };
}

const processCache = globalThis as typeof globalThis & { __mailStore?: Promise<MailStore> };

export function getMailStore(): Promise<MailStore> {
  processCache.__mailStore ??= getDatabase().then(createMailStore);
  return processCache.__mailStore;
}

export async function closeMailStore(store: MailStore): Promise<void> {
  await closeDeliveryWriter(store.database);
  await closeDriverReader(store.database);
  await closeDriverWriter(store.database);
  await store.bus.close();
  await store.database.close();
}

/**
 * Runs one store transaction and broadcasts the changes that `work` pushed,
 * recorded inside the transaction and announced locally after the commit.
 */
export async function mutate<T>(store: MailStore, work: (tx: Tx, changes: StoreChange[]) => Promise<T>): Promise<T> {
  let changes: StoreChange[] = [];
  const result = await runTransaction(store.database, async (tx) => {
    changes = [];
    const value = await work(tx, changes);
    await store.bus.record(tx, changes);
    return value;
  });
  store.bus.published(changes);
  return result;
}
