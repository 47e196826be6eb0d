// Account storage quota: usedBytes is kept in the same transactions that add
// and remove messages, so it never drifts from the sum of message sizes.
import type { MailStore } from './context.ts';
import { StoreError } from './errors.ts';
import type { Tx } from './transaction.ts';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { runInTx, type Steps } from './sql-steps.ts';

export interface QuotaUsage {
  usedBytes: number;
  quotaBytes: number;
}

export async function getQuota(store: MailStore, accountId: number): Promise<QuotaUsage> {
  const account = await store.database.prisma.account.findUnique({
    where: { id: accountId },
    select: { usedBytes: true, quotaBytes: true },
  });
  if (!account) throw new StoreError('NONEXISTENT', 'no such account');
  return { usedBytes: Number(account.usedBytes), quotaBytes: Number(account.quotaBytes) };
}

/** Whether `bytes` more fit in the account (SMTP asks at RCPT time). */
export async function hasRoomFor(store: MailStore, accountId: number, bytes: number): Promise<boolean> {
  const { usedBytes, quotaBytes } = await getQuota(store, accountId);
  return usedBytes + bytes <= quotaBytes;
}

/** Adds (or with a negative delta, frees) storage; with `enforce`, refuses to pass the quota. */
export function* chargeQuotaSteps(accountId: number, delta: number, enforce: boolean): Steps<void> {
  if (delta === 0) return;
  const [account] = yield Prisma.sql`UPDATE "Account" SET "usedBytes" = "usedBytes" + ${delta} WHERE "id" = ${accountId}
    RETURNING "usedBytes", "quotaBytes"`;
  if (!account) throw new StoreError('NONEXISTENT', 'no such account');
  // PostgreSQL returns a bigint as a string, SQLite as a number.
  if (enforce && delta > 0 && BigInt(account.usedBytes as string) > BigInt(account.quotaBytes as string)) {
    throw new StoreError('OVERQUOTA', 'mailbox is over its storage quota');
  }
}

export function chargeQuota(tx: Tx, accountId: number, delta: number, enforce: boolean): Promise<void> {
  return runInTx(tx, chargeQuotaSteps(accountId, delta, enforce));
}
