// What one account may send, so that a stolen password does not turn the host
// into a spam source: messages per hour and recipients per day (rolling
// windows), the platform defaults (SEND_LIMIT_*) unless an admin set the
// account's own. A submission over a limit is refused with 451 4.7.1 (the
// client keeps it and may retry later, RFC 5321 4.2.5) and the account is
// marked; the admin's queue page lists marked accounts, and lifting the mark
// starts the count afresh. Submissions are counted as OutboundSend rows, kept
// for a day.
import type { MailStore } from '../store/context.ts';
import { smtpError } from '../smtp/smtp-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import type { SpamConfig } from '../config/config.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export type SendLimits = SpamConfig['sendLimits'];

export interface LimitedAccount {
  accountId: number;
  address: string;
  hitAt: Date;
  reason: string;
}

/** The limits that apply to the account: its own where set, else the defaults. */
export async function sendLimitsOf(store: MailStore, defaults: SendLimits, accountId: number): Promise<SendLimits & { liftedAt: Date | null }> {
  const own = await store.database.prisma.sendLimit.findUnique({ where: { accountId } });
  return {
    messagesPerHour: own?.messagesPerHour ?? defaults.messagesPerHour,
    recipientsPerDay: own?.recipientsPerDay ?? defaults.recipientsPerDay,
    liftedAt: own?.liftedAt ?? null,
  };
}

/** Counts one submission against the account's limits, or refuses it (451 4.7.1) and marks the account. */
export async function countSubmission(store: MailStore, defaults: SendLimits, accountId: number, recipients: number, now = new Date()): Promise<void> {
  const prisma = store.database.prisma;
  const limits = await sendLimitsOf(store, defaults, accountId);
  const since = (window: number) => new Date(Math.max(now.getTime() - window, limits.liftedAt?.getTime() ?? 0));
  const [lastHour, lastDay] = await Promise.all([
    prisma.outboundSend.count({ where: { accountId, createdAt: { gte: since(HOUR) } } }),
    prisma.outboundSend.aggregate({ where: { accountId, createdAt: { gte: since(DAY) } }, _sum: { recipients: true } }),
  ]);
  let reason: string | null = null;
  if (lastHour + 1 > limits.messagesPerHour) reason = `at most ${limits.messagesPerHour} messages per hour`;
  else if ((lastDay._sum.recipients ?? 0) + recipients > limits.recipientsPerDay) reason = `at most ${limits.recipientsPerDay} recipients per day`;
  if (reason) {
    await prisma.sendLimit.upsert({ where: { accountId }, create: { accountId, hitAt: now, hitReason: reason }, update: { hitAt: now, hitReason: reason } });
    throw smtpError(451, '4.7.1', `Sending limit reached: this account may send ${reason}. Try again later, or ask your administrator to lift the limit`);
  }
  await prisma.outboundSend.create({ data: { accountId, recipients, createdAt: now } });
  await prisma.outboundSend.deleteMany({ where: { accountId, createdAt: { lt: new Date(now.getTime() - DAY) } } });
}

/** Accounts whose last submission over a limit came after the last lift, newest first. */
export async function listLimitedAccounts(store: MailStore): Promise<LimitedAccount[]> {
  const rows = await store.database.prisma.sendLimit.findMany({
    where: { hitAt: { not: null } },
    include: { account: { select: { address: true } } },
    orderBy: { hitAt: 'desc' },
  });
  return rows.map((r) => ({ accountId: r.accountId, address: r.account.address, hitAt: r.hitAt!, reason: r.hitReason }));
}

/** The admin lifts the limit: earlier submissions no longer count, and the account leaves the list. */
export async function liftSendLimit(store: MailStore, accountId: number, now = new Date()): Promise<void> {
  await store.database.prisma.sendLimit.upsert({ where: { accountId }, create: { accountId, liftedAt: now }, update: { liftedAt: now, hitAt: null, hitReason: '' } });
}

/** A change to the account's own limits: null goes back to the default, a limit left out stays as it is. */
export interface SendLimitsChange {
  messagesPerHour?: number | null;
  recipientsPerDay?: number | null;
}

/** Sets the account's own limits (mailctl user limits); in one upsert, so a limit left out is never read and written back. */
export async function setSendLimits(store: MailStore, accountId: number, change: SendLimitsChange): Promise<void> {
  for (const [name, value] of Object.entries(change)) {
    if (value !== undefined && value !== null && (!Number.isSafeInteger(value) || value < 1)) throw new ValidationError(name, 'A limit is a whole number greater than 0.');
  }
  const limits = { messagesPerHour: change.messagesPerHour, recipientsPerDay: change.recipientsPerDay };
  await store.database.prisma.sendLimit.upsert({ where: { accountId }, create: { accountId, ...limits }, update: limits });
}
