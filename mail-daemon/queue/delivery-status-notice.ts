// Delivery status notifications (RFC 3464) for the sender of a queued
// message: a bounce when recipients failed for good, a delay notice when they
// are still being retried. The report is multipart/report (RFC 6522) with a
// text for people, the machine-readable message/delivery-status, and the
// original message's header (text/rfc822-headers), from MAILER-DAEMON.
import { randomBytes } from 'node:crypto';

export interface NoticeRecipient {
  address: string;
  /** RFC 3464 2.3.3. */
  action: 'failed' | 'delayed';
  /** RFC 3463 status code. */
  status: string;
  /** Why, in words (shown to people). */
  detail: string;
  /** The remote server's SMTP reply, if one answered. */
  reply: string | null;
  /** The host name of the server that answered. */
  remoteMta: string | null;
  lastAttemptAt: Date;
}

export interface NoticeInput {
  kind: 'bounce' | 'delay';
  /** Our host name: Reporting-MTA and the From domain. */
  hostname: string;
  /** The original envelope sender, who gets the notice. */
  sender: string;
  original: Buffer;
  arrivalDate: Date;
  recipients: NoticeRecipient[];
  /** For a delay notice: when we give up. */
  willRetryUntil?: Date;
  now?: Date;
}

/** RFC 5322 3.3 date-time. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/** The original message's header block, without the blank line. */
export function headerBlock(raw: Buffer): Buffer {
  const end = raw.indexOf('\r\n\r\n');
  if (end >= 0) return raw.subarray(0, end + 2);
  const lfEnd = raw.indexOf('\n\n');
  return lfEnd >= 0 ? raw.subarray(0, lfEnd + 1) : raw;
}

/** An unfolded header field's value from a header block, or "". */
export function headerValue(header: Buffer, name: string): string {
  const unfolded = header.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : '';
}

/** Folds a header field at spaces to lines of about 78 characters (RFC 5322 2.2.3). */
function fold(field: string): string {
  const words = field.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > 78) {
      lines.push(line);
      line = ` ${word}`;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join('\r\n');
}

function printable(text: string): string {
  // Fields of message/delivery-status are US-ASCII text (RFC 3464 2.1.2).
  return text.replace(/[^\x20-\x7e]/g, '?');
}

function perRecipientFields(r: NoticeRecipient, willRetryUntil?: Date): string[] {
  const fields = [`Final-Recipient: rfc822; ${printable(r.address)}`, `Action: ${r.action}`, `Status: ${r.status}`];
  if (r.remoteMta) fields.push(`Remote-MTA: dns; ${printable(r.remoteMta)}`);
  // RFC 3464 2.3.6: "smtp" for a server's reply; our own reasons (DNS, no
  // connection, null MX) get a private X- diagnostic type.
  fields.push(r.reply ? `Diagnostic-Code: smtp; ${printable(r.reply)}` : `Diagnostic-Code: X-Outbound-Queue; ${printable(r.detail)}`);
  fields.push(`Last-Attempt-Date: ${rfc5322Date(r.lastAttemptAt)}`);
  if (r.action === 'delayed' && willRetryUntil) fields.push(`Will-Retry-Until: ${rfc5322Date(willRetryUntil)}`);
  return fields.map(fold);
}

function humanText(input: NoticeInput): string {
  const subject = headerValue(headerBlock(input.original), 'subject');
  const lines =
    input.kind === 'bounce'
      ? [
          `This is the mail system at ${input.hostname}.`,
          '',
          `Your message${subject ? ` "${subject}"` : ''} could not be delivered to the recipients below.`,
          'This is a permanent error; the message will not be retried.',
        ]
      : [
          `This is the mail system at ${input.hostname}.`,
          '',
          `Your message${subject ? ` "${subject}"` : ''} has not been delivered yet to the recipients below.`,
          `It is still being retried${input.willRetryUntil ? ` until ${rfc5322Date(input.willRetryUntil)}` : ''}; you need not send it again.`,
        ];
  lines.push('');
  for (const r of input.recipients) lines.push(`<${r.address}>: ${r.reply ?? r.detail}`);
  return `${lines.join('\r\n')}\r\n`;
}

export function buildDeliveryStatusNotice(input: NoticeInput): Buffer {
  const now = input.now ?? new Date();
  const boundary = `dsn-${randomBytes(12).toString('hex')}`;
  const subject = input.kind === 'bounce' ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)';
  const header = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.hostname}>`,
    `To: <${input.sender}>`,
    `Subject: ${subject}`,
    `Date: ${rfc5322Date(now)}`,
    `Message-ID: <${randomBytes(10).toString('hex')}.dsn@${input.hostname}>`,
    // RFC 3834 5: an automatic reply, which nobody should auto-answer.
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status;\r\n boundary="${boundary}"`,
  ].join('\r\n');
  // RFC 3464 2.2: the per-message fields, then one block per recipient.
  const status = [
    [`Reporting-MTA: dns; ${input.hostname}`, `Arrival-Date: ${rfc5322Date(input.arrivalDate)}`].join('\r\n'),
    ...input.recipients.map((r) => perRecipientFields(r, input.willRetryUntil).join('\r\n')),
  ].join('\r\n\r\n');
  const text = [
    `${header}\r\n\r\n`,
    'This is a MIME-encapsulated delivery status notification.\r\n\r\n',
    `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${humanText(input)}\r\n`,
    `--${boundary}\r\nContent-Type: message/delivery-status\r\n\r\n${status}\r\n\r\n`,
    `--${boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n`,
  ].join('');
  return Buffer.concat([Buffer.from(text, 'utf8'), headerBlock(input.original), Buffer.from(`\r\n--${boundary}--\r\n`)]);
}
