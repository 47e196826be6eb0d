// Account storage quota: usedBytes is kept in the same transactions that add
// and remove messages, so it never drifts from the sum of message sizes. The
// quota is hard: SMTP asks roomFor() at RCPT and again before storing, IMAP
// APPEND and the web app deliver with enforcement; and crossing 90% is
// reported to the owner once (quota-warning.ts).
import type { MailStore } from './context.ts';
import { StoreError } from './errors.ts';
import type { Tx } from './transaction.ts';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { runInTx, type Steps } from './sql-steps.ts';
import { firstRow } from './driver-reads.ts';

export interface QuotaUsage {
  usedBytes: number;
  quotaBytes: number;
}

export async function getQuota(store: MailStore, accountId: number): Promise<QuotaUsage> {
  const account = await firstRow(store.database, Prisma.sql`SELECT "usedBytes", "quotaBytes" FROM "Account" WHERE "id" = ${accountId}`);
  if (!account) throw new StoreError('NONEXISTENT', 'no such account');
  return { usedBytes: Number(account.usedBytes), quotaBytes: Number(account.quotaBytes) };
}

/**
 * Whether a message of `bytes` fits: "full" when it does not now (RFC 3463
 * 4.2.2, worth retrying once mail is deleted), "too-big" when it never will
 * (5.2.2: larger than the whole quota). A full mailbox takes no message at
 * all, even an empty one.
 */
export type Room = 'fits' | 'full' | 'too-big';

export function roomIn(usage: QuotaUsage, bytes: number): Room {
  if (bytes > usage.quotaBytes) return 'too-big';
  return usage.usedBytes >= usage.quotaBytes || usage.usedBytes + bytes > usage.quotaBytes ? 'full' : 'fits';
}

export async function roomFor(store: MailStore, accountId: number, bytes: number): Promise<Room> {
  return roomIn(await getQuota(store, accountId), bytes);
}

export const QUOTA_WARNING_RATIO = 0.9;

/** Whether adding `delta` bytes took the usage from below 90% of the quota to 90% or more. */
export function crossedWarning(after: QuotaUsage, delta: number): boolean {
  const threshold = after.quotaBytes * QUOTA_WARNING_RATIO;
  return delta > 0 && after.usedBytes >= threshold && after.usedBytes - delta < threshold;
}

/** Adds (or with a negative delta, frees) storage; with `enforce`, refuses to pass the quota. Returns the usage after. */
export function* chargeQuotaSteps(accountId: number, delta: number, enforce: boolean): Steps<QuotaUsage | null> {
  if (delta === 0) return null;
  const [account] = yield Prisma.sql`UPDATE "Account" SET "usedBytes" = "usedBytes" + ${delta} WHERE "id" = ${accountId}
    RETURNING "usedBytes", "quotaBytes"`;
  if (!account) throw new StoreError('NONEXISTENT', 'no such account');
  // PostgreSQL returns a bigint as a string, SQLite as a number.
  if (enforce && delta > 0 && BigInt(account.usedBytes as string) > BigInt(account.quotaBytes as string)) {
    throw new StoreError('OVERQUOTA', 'mailbox is over its storage quota');
  }
  return { usedBytes: Number(account.usedBytes), quotaBytes: Number(account.quotaBytes) };
}

export async function chargeQuota(tx: Tx, accountId: number, delta: number, enforce: boolean): Promise<void> {
  await runInTx(tx, chargeQuotaSteps(accountId, delta, enforce));
}
