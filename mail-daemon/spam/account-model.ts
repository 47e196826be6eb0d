// An account's own junk filter counts (SpamToken), read for the tokens of one
// message in one query and changed by training with one statement; token ""
// holds the number of messages trained as ham and as spam. The account's
// counts weigh ACCOUNT_WEIGHT times the base model's, so that a few verdicts
// of the user outweigh what thousands of corpus messages of 2002 suggest.
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { MailStore } from '../store/context.ts';
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

export async function accountCounts(store: MailStore, accountId: number, tokens: string[]): Promise<Map<string, TokenCounts>> {
  const rows = await store.database.prisma.spamToken.findMany({
    where: { accountId, token: { in: [TOTALS, ...tokens] } },
    select: { token: true, ham: true, spam: true },
  });
  return new Map(rows.map((r) => [r.token, { ham: r.ham, spam: r.spam }]));
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
