// The SMTP reply for a mailbox that cannot take a message (RFC 3463): 452
// 4.2.2 while it is full (the sender retries, the owner may make room), 552
// 5.2.2 when the message is bigger than the whole quota (retrying cannot help).
import type { Room } from '../store/quota.ts';
import { smtpError, type SmtpError } from '../smtp/smtp-error.ts';

export function quotaReply(room: Room, address: string): SmtpError | null {
  if (room === 'too-big') return smtpError(552, '5.2.2', `Message too big for the mailbox quota of ${address}`);
  if (room === 'full') return smtpError(452, '4.2.2', `Mailbox full: ${address}`);
  return null;
}
