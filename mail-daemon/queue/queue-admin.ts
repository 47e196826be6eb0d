// Looking at and steering the outbound queue (mailctl queue, the admin pages).
import type { MailStore } from '../store/context.ts';
import { collectUnusedContent } from '../store/content.ts';
import { runTransaction } from '../store/transaction.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { signalQueued } from './queue-wakeup.ts';

export interface QueueEntryView {
  id: number;
  mailFrom: string;
  recipients: { address: string; status: string; lastError: string | null }[];
  createdAt: Date;
  nextAttemptAt: Date;
  attempts: number;
  lastError: string | null;
  size: number;
}

export async function listQueue(store: MailStore): Promise<QueueEntryView[]> {
  const rows = await store.database.prisma.queueMessage.findMany({
    orderBy: { id: 'asc' },
    include: { recipients: { orderBy: { id: 'asc' } }, content: { select: { size: true } } },
  });
  return rows.map((r) => ({
    id: r.id,
    mailFrom: r.mailFrom,
    recipients: r.recipients.map((p) => ({ address: p.address, status: p.status, lastError: p.lastError })),
    createdAt: r.createdAt,
    nextAttemptAt: r.nextAttemptAt,
    attempts: r.attempts,
    lastError: r.lastError,
    size: r.content.size,
  }));
}

function entryId(id: string | number): number {
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n <= 0) throw new ValidationError('id', `"${id}" is not a queue entry id.`);
  return n;
}

/**
 * Makes an entry due now. The lease is left alone: an entry a runner is
 * delivering right now must not be handed to a second one (a runner that
 * died holds it only until its lease runs out).
 */
export async function retryQueueEntry(store: MailStore, id: string | number): Promise<void> {
  const result = await store.database.prisma.queueMessage.updateMany({
    where: { id: entryId(id) },
    data: { nextAttemptAt: new Date() },
  });
  if (result.count === 0) throw new ValidationError('id', `There is no queue entry ${id}.`);
  signalQueued();
}

export async function deleteQueueEntry(store: MailStore, id: string | number): Promise<void> {
  await runTransaction(store.database, async (tx) => {
    const entry = await tx.queueMessage.findUnique({ where: { id: entryId(id) } });
    if (!entry) throw new ValidationError('id', `There is no queue entry ${id}.`);
    await tx.queueMessage.delete({ where: { id: entry.id } });
    await collectUnusedContent(tx, [entry.contentHash]);
  });
}
