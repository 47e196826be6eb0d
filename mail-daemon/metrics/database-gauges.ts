// The metrics that belong to the database, not to one process: read at each
// scrape, so every daemon on a shared PostgreSQL reports the same queue.
import type { MailStore } from '../store/context.ts';
import { databaseSize, queueMessages, queueOldestAge } from './metrics.ts';

async function databaseBytes(store: MailStore): Promise<number> {
  const prisma = store.database.prisma;
  if (store.database.engine === 'sqlite') {
    const [pages] = await prisma.$queryRawUnsafe<{ page_count: bigint }[]>('PRAGMA page_count');
    const [size] = await prisma.$queryRawUnsafe<{ page_size: bigint }[]>('PRAGMA page_size');
    return Number(pages.page_count) * Number(size.page_size);
  }
  const [row] = await prisma.$queryRawUnsafe<{ bytes: bigint }[]>('SELECT pg_database_size(current_database()) AS bytes');
  return Number(row.bytes);
}

export async function updateDatabaseGauges(store: MailStore, now = Date.now()): Promise<void> {
  const queue = await store.database.prisma.queueMessage.aggregate({ _count: { _all: true }, _min: { createdAt: true } });
  queueMessages.set(queue._count._all);
  queueOldestAge.set(queue._min.createdAt ? Math.max(0, (now - queue._min.createdAt.getTime()) / 1000) : 0);
  databaseSize.set(await databaseBytes(store));
}
