// The message an account's owner gets once when their mailbox passes 90% of
// its quota, from the postmaster of their domain, so mail does not start
// bouncing without notice.
import { formatMegabytes } from '../config/byte-size.ts';
import { randomBytes } from 'node:crypto';
import type { MailStore } from './context.ts';
import { getQuota, QUOTA_WARNING_RATIO } from './quota.ts';


export async function quotaWarningMessage(store: MailStore, accountId: number, now = new Date()): Promise<Buffer> {
  const { address } = await store.database.prisma.account.findUniqueOrThrow({ where: { id: accountId }, select: { address: true } });
  const usage = await getQuota(store, accountId);
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const percent = Math.floor((usage.usedBytes / usage.quotaBytes) * 100);
  const lines = [
    `From: Postmaster <postmaster@${domain}>`,
    `To: <${address}>`,
    `Subject: Your mailbox is ${percent}% full`,
    `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <quota.${randomBytes(8).toString('hex')}@${domain}>`,
    // RFC 3834 5: machine-made, so no auto-reply answers it.
    'Auto-Submitted: auto-generated',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Your mailbox ${address} holds ${formatMegabytes(usage.usedBytes)} of its ${formatMegabytes(usage.quotaBytes)}`,
    `(${percent}%; this notice comes when it passes ${QUOTA_WARNING_RATIO * 100}%).`,
    '',
    'When it is full, new mail is refused and its senders are told so.',
    'Delete mail you no longer need, empty the Trash, or ask your administrator',
    'for more space.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}
