// The vacation auto-reply (RFC 3834). SMTP delivery calls vacationReplyFor()
// after a message reached an account's mailbox, and queues what it returns
// with the null envelope sender; this module decides whether to answer at
// all and keeps the once-per-sender log.
import { randomBytes } from 'node:crypto';
import type { MailStore } from '../store/context.ts';
import { getSettings } from './account-settings.ts';

// RFC 3834 2: at most one reply per sender within a period of days.
export const VACATION_PERIOD_MS = 4 * 24 * 3600_000;

/** Header fields of a raw message, names lower-cased, folded lines joined (RFC 5322 2.2.3). */
export function headerFields(raw: Buffer | string): Map<string, string[]> {
  const text = typeof raw === 'string' ? raw : raw.subarray(0, 64 * 1024).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const fields = new Map<string, string[]>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    fields.set(name, [...(fields.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return fields;
}

const AUTOMATED_SENDER = /^(mailer-daemon|postmaster|listserv|majordomo|owner-.*|.*-request|.*-owner|.*-bounces?|no-?reply|do-?not-?reply)$/i;

/**
 * Why no auto-reply goes to this message, or null when one may (RFC 3834
 * 2 and 5): never to the null sender, to automatic mail, to lists or bulk
 * mail, to list and daemon addresses, or when the account's address is not
 * in To or Cc (so a Bcc or a list copy gets no answer).
 */
export function vacationRefusal(mailFrom: string, fields: Map<string, string[]>, ownAddresses: string[]): string | null {
  if (!mailFrom) return 'null sender';
  const localPart = mailFrom.split('@')[0];
  if (AUTOMATED_SENDER.test(localPart)) return 'automated sender address';
  const autoSubmitted = fields.get('auto-submitted')?.[0]?.toLowerCase();
  if (autoSubmitted && autoSubmitted.split(';')[0].trim() !== 'no') return 'Auto-Submitted';
  const precedence = fields.get('precedence')?.[0]?.toLowerCase() ?? '';
  if (/^(bulk|list|junk)$/.test(precedence)) return `Precedence: ${precedence}`;
  for (const name of ['list-id', 'list-unsubscribe', 'list-post', 'x-auto-response-suppress', 'feedback-id']) {
    if (fields.has(name)) return name;
  }
  const recipients = [...(fields.get('to') ?? []), ...(fields.get('cc') ?? [])].join(',').toLowerCase();
  if (!ownAddresses.some((address) => recipients.includes(address.toLowerCase()))) return 'not addressed in To or Cc';
  return null;
}

export interface VacationReplyMessage {
  /** Always "" (RFC 3834 3.3: the null reverse-path). */
  mailFrom: '';
  rcptTo: string;
  raw: Buffer;
}

function encodeHeader(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/**
 * The auto-reply to send for a message just delivered to `account`, or null.
 * Records the reply, so a second message from the same sender within
 * VACATION_PERIOD_MS gets none; the caller queues the result.
 */
export async function vacationReplyFor(
  store: MailStore,
  account: { id: number; address: string; displayName: string },
  message: { mailFrom: string; raw: Buffer; ownAddresses?: string[] },
  now = new Date(),
): Promise<VacationReplyMessage | null> {
  const settings = await getSettings(store, account.id);
  if (!settings.vacationEnabled) return null;
  if (settings.vacationStart && now < settings.vacationStart) return null;
  if (settings.vacationEnd && now > settings.vacationEnd) return null;
  const fields = headerFields(message.raw);
  const sender = message.mailFrom.toLowerCase();
  if (vacationRefusal(sender, fields, message.ownAddresses ?? [account.address])) return null;

  const prisma = store.database.prisma;
  const since = new Date(now.getTime() - VACATION_PERIOD_MS);
  const previous = await prisma.vacationReply.findUnique({ where: { accountId_sender: { accountId: account.id, sender } } });
  if (previous && previous.sentAt > since) return null;
  if (previous) {
    // Conditional, so that two deliveries at once send one reply.
    const claimed = await prisma.vacationReply.updateMany({ where: { id: previous.id, sentAt: { lte: since } }, data: { sentAt: now } });
    if (claimed.count === 0) return null;
  } else {
    try {
      await prisma.vacationReply.create({ data: { accountId: account.id, sender, sentAt: now } });
    } catch {
      return null; // Another delivery recorded it first.
    }
    // The account's senders answered before the period are forgotten, when a
    // new one comes: otherwise mail from ever new senders (to an account away
    // for long) would add rows without end.
    await prisma.vacationReply.deleteMany({ where: { accountId: account.id, sentAt: { lte: since } } });
  }

  const messageId = fields.get('message-id')?.[0];
  const references = [fields.get('references')?.[0], messageId].filter(Boolean).join(' ');
  const from = account.displayName ? `${encodeHeader(account.displayName)} <${account.address}>` : `<${account.address}>`;
  const lines = [
    `From: ${from}`,
    `To: <${sender}>`,
    `Subject: ${encodeHeader(settings.vacationSubject)}`,
    `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${account.address.split('@')[1]}>`,
    ...(messageId ? [`In-Reply-To: ${messageId}`, `References: ${references}`] : []),
    // RFC 3834 3.1.7 and 5.1.
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
  ];
  const body = Buffer.from(settings.vacationBody, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  return { mailFrom: '', rcptTo: sender, raw: Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}\r\n`) };
}
