// An account's own junk filter counts (SpamToken), read for the tokens of one
// message in one query and changed by training with one statement; token ""
// holds the number of messages trained as ham and as spam. The account's
// counts weigh ACCOUNT_WEIGHT times the base model's, so that a few verdicts
// of the user outweigh what thousands of corpus messages of 2002 suggest.
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { MailStore } from '../store/context.ts';
import { driverReaderFor } from '../store/driver-reads.ts';
import type { Tx } from '../store/transaction.ts';
import type { Counts, TokenCounts } from './bayes.ts';
import type { TokenTable } from './token-table.ts';

export const ACCOUNT_WEIGHT = 5;
const TOTALS = '';

// The corpus of 2002 has no Authentication-Results and knows nothing of the
// account's correspondents, so the base model has no counts for these
// tokens. A neutral prior (as if seen in 2% of the base's ham and spam alike)
// keeps one or two verdicts of the user from making every first contact
// spam; a handful of consistent ones move it.
const CONTEXT_TOKEN = /^(auth|sender):/;
const CONTEXT_PRIOR = 0.02;

export interface AccountFilterState {
  enabled: boolean;
  /** The sender is an address the account has written to (correspondents.ts). */
  knownSender: boolean;
  /** Messages the account trained, or null when it never did. */
  totals: TokenCounts | null;
}

/** Everything about the account the filter needs before the tokens, in one statement (delivery pays per statement). */
export async function accountFilterState(store: MailStore, accountId: number, senders: string[]): Promise<AccountFilterState> {
  const addresses = [...new Set(senders.filter(Boolean).map((a) => a.toLowerCase()))];
  const known = addresses.length > 0
    ? Prisma.sql`EXISTS (SELECT 1 FROM "Correspondent" WHERE "accountId" = ${accountId} AND "address" IN (${Prisma.join(addresses)}))`
    : Prisma.sql`0`;
  const [row] = await driverReaderFor(store.database).rows(Prisma.sql`SELECT
      (SELECT "spamFilter" FROM "AccountSettings" WHERE "accountId" = ${accountId}) AS "enabled",
      ${known} AS "known",
      (SELECT "ham" FROM "SpamToken" WHERE "accountId" = ${accountId} AND "token" = ${TOTALS}) AS "ham",
      (SELECT "spam" FROM "SpamToken" WHERE "accountId" = ${accountId} AND "token" = ${TOTALS}) AS "spam"`);
  // SQLite answers 0/1 and bigints, PostgreSQL booleans and integers.
  return {
    enabled: row.enabled === null || row.enabled === undefined || Boolean(Number(row.enabled)),
    knownSender: Boolean(Number(row.known)),
    totals: row.ham === null || row.ham === undefined ? null : { ham: Number(row.ham), spam: Number(row.spam) },
  };
}

/** The account's counts of these tokens, with its totals (an account that never trained has none). */
export async function accountCounts(store: MailStore, accountId: number, totals: TokenCounts | null, tokens: string[]): Promise<Map<string, TokenCounts>> {
  if (!totals || tokens.length === 0) return new Map();
  const rows = await driverReaderFor(store.database).rows(Prisma.sql`SELECT "token", "ham", "spam" FROM "SpamToken"
    WHERE "accountId" = ${accountId} AND "token" IN (${Prisma.join(tokens)})`);
  return new Map([[TOTALS, totals], ...rows.map((r) => [String(r.token), { ham: Number(r.ham), spam: Number(r.spam) }] as const)]);
}

/** The base model with the account's counts added on top. */
export function combinedModel(base: TokenTable, own: Map<string, TokenCounts>): Counts {
  const add = (a: TokenCounts | undefined, b: TokenCounts | undefined): TokenCounts | undefined =>
    !b ? a : { ham: (a?.ham ?? 0) + ACCOUNT_WEIGHT * b.ham, spam: (a?.spam ?? 0) + ACCOUNT_WEIGHT * b.spam };
  const prior = { ham: base.messages.ham * CONTEXT_PRIOR, spam: base.messages.spam * CONTEXT_PRIOR };
  return {
    messages: add(base.messages, own.get(TOTALS))!,
    token: (token) => add(base.token(token) ?? (CONTEXT_TOKEN.test(token) ? prior : undefined), own.get(token)),
  };
}

/** Adds `delta` (+1 to train, -1 to take back) to the ham or spam count of every token and of the totals. */
export async function changeCounts(tx: Tx, accountId: number, tokens: string[], kind: 'ham' | 'spam', delta: number): Promise<void> {
  const ham = kind === 'ham' ? delta : 0;
  const spam = kind === 'spam' ? delta : 0;
  const rows = [TOTALS, ...tokens].map((token) => Prisma.sql`(${accountId}, ${token}, ${ham}, ${spam})`);
  // Chunks keep each statement under the bound-parameter limits of both engines.
  for (let i = 0; i < rows.length; i += 500) {
    await tx.$executeRaw`INSERT INTO "SpamToken" ("accountId", "token", "ham", "spam") VALUES ${Prisma.join(rows.slice(i, i + 500))}
      ON CONFLICT ("accountId", "token") DO UPDATE SET "ham" = "SpamToken"."ham" + excluded."ham", "spam" = "SpamToken"."spam" + excluded."spam"`;
  }
}
