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
