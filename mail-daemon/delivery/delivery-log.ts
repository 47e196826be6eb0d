// One line of the delivery log (SMTP in, submission, the outbound queue),
// which admins search.
import type { MailStore } from '../store/context.ts';
import { insertInto, runInTx, withoutRows, type Steps } from '../store/sql-steps.ts';

export interface DeliveryLogEntry {
  kind: string;
  mailFrom: string;
  rcptTo: string;
  status: string;
  detail?: string;
  messageId?: string;
  queueId?: number | null;
  /** The id of the message's Received: field. */
  receivedId?: string;
}

/** The log line as a step of a store transaction (a delivery logs in its own commit). */
export function* deliveryLogSteps(entry: DeliveryLogEntry): Steps<void> {
  yield withoutRows(insertInto('DeliveryLog', {
    createdAt: new Date(),
    kind: entry.kind,
    mailFrom: entry.mailFrom,
    rcptTo: entry.rcptTo.slice(0, 2000),
    status: entry.status,
    detail: (entry.detail ?? '').slice(0, 2000),
    messageId: entry.messageId ?? '',
    queueId: entry.queueId ?? null,
    receivedId: entry.receivedId ?? '',
  }));
}

export function logDelivery(store: MailStore, entry: DeliveryLogEntry): Promise<void> {
  return runInTx(store.database.prisma, deliveryLogSteps(entry));
}

export interface DeliveryLogLine extends Required<Omit<DeliveryLogEntry, 'queueId'>> {
  id: number;
  createdAt: Date;
  queueId: number | null;
}

/**
 * The newest lines first, at most `limit`; with a query, those whose sender,
 * recipients, message id or detail contain it, or whose Received: id (shown
 * upper case), status or kind is it.
 */
export async function searchDeliveryLog(store: MailStore, query: string, limit: number): Promise<DeliveryLogLine[]> {
  const q = query.trim();
  const where = q
    ? { OR: [{ mailFrom: { contains: q } }, { rcptTo: { contains: q } }, { messageId: { contains: q } }, { receivedId: { equals: q.toUpperCase() } }, { detail: { contains: q } }, { status: { equals: q } }, { kind: { equals: q } }] }
    : {};
  return store.database.prisma.deliveryLog.findMany({ where, orderBy: { id: 'desc' }, take: limit });
}
