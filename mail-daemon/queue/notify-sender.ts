// Getting a delivery status notice to the sender of a queued message: into
// the Inbox when the sender has an account here, else out through the queue
// with the null sender <> (RFC 5321 4.5.5), so a notice never causes another.
import { findAccount } from '../accounts/accounts.ts';
import { logDelivery } from '../delivery/delivery-log.ts';
import type { MailStore } from '../store/context.ts';
import { deliverMessage } from '../store/deliver.ts';
import { enqueueMessage } from './enqueue.ts';
import { signalQueued } from './queue-wakeup.ts';
import { buildDeliveryStatusNotice, headerBlock, headerValue, type NoticeInput } from './delivery-status-notice.ts';
import { deliveriesEnded } from '../metrics/metrics.ts';

export type NoticeRoute = 'none' | 'local' | 'queued';

async function localAccountId(store: MailStore, address: string): Promise<number | null> {
  try {
    return (await findAccount(store, address))?.id ?? null;
  } catch {
    return null; // not an address we could own
  }
}

export async function notifySender(store: MailStore, input: Omit<NoticeInput, 'sender'> & { sender: string; queueId: number | null }): Promise<NoticeRoute> {
  // RFC 3461 6.2 / RFC 5321 4.5.5: never a notice about a notice.
  if (input.sender === '') return 'none';
  const started = Date.now();
  const notice = buildDeliveryStatusNotice(input);
  const accountId = await localAccountId(store, input.sender);
  let route: NoticeRoute;
  if (accountId !== null) {
    await deliverMessage(store, notice, [{ accountId }]);
    deliveriesEnded('delivered', 1, { route: 'local', since: started });
    route = 'local';
  } else {
    await enqueueMessage(store, { message: notice, mailFrom: '', recipients: [input.sender] });
    signalQueued();
    route = 'queued';
  }
  await logDelivery(store, {
    kind: input.kind,
    mailFrom: '',
    rcptTo: input.sender,
    status: route === 'local' ? 'delivered' : 'queued',
    detail: input.recipients.map((r) => `${r.address}: ${r.status}`).join(', '),
    messageId: headerValue(headerBlock(notice), 'message-id'),
    queueId: input.queueId,
  });
  return route;
}
