// The junk filter's verdict on one inbound message for one account, the one
// call the delivery path makes: tokens of the message (message-tokens.ts),
// scored against the base model plus the account's own counts (bayes.ts,
// account-model.ts). Mail from an address the account has written to is
// never sent to Junk by this filter (a DMARC failure still is, elsewhere).
// A message that goes to Junk carries an X-Junk-Filter field saying why.
import type { PreparedContent } from '../store/prepared-message.ts';
import type { MailStore } from '../store/context.ts';
import type { MimeNode } from '../store/mime-structure.ts';
import { accountCounts, accountFilterState, combinedModel, type AccountFilterState } from './account-model.ts';
import { baseModel } from './base-model.ts';
import { scoreTokens, type Clue } from './bayes.ts';
import { JUNK_THRESHOLD } from './junk-threshold.ts';
import { messageTokens, tokensForSender } from './message-tokens.ts';

export interface JunkVerdict {
  junk: boolean;
  score: number;
  /** "X-Junk-Filter: ..." for a message going to Junk, else null. */
  header: string | null;
}

const PASS: JunkVerdict = { junk: false, score: 0, header: null };

/** Up to five spam-side clues, printable ASCII only (a header field must stay 7-bit, RFC 5322 2.2). */
function describeClues(clues: Clue[]): string {
  return clues
    .filter((c) => c.probability > 0.5 && /^[\x21-\x7e]+$/.test(c.token) && !c.token.includes('"'))
    .slice(0, 5)
    .map((c) => `"${c.token}" ${c.probability.toFixed(2)}`)
    .join(', ');
}

/**
 * `state`: the account's filter state for these senders when it was read
 * earlier; `firstContactTokens`: the message's tokens when they were worked
 * out already, for a first contact (delivery/message-preparation.ts).
 */
export async function junkVerdict(store: MailStore, accountId: number, content: PreparedContent, senders: string[], state?: AccountFilterState, firstContactTokens?: string[]): Promise<JunkVerdict> {
  const { enabled, knownSender, totals } = state ?? (await accountFilterState(store, accountId, senders));
  if (!enabled) return PASS;
  const tokens = firstContactTokens ? tokensForSender(firstContactTokens, knownSender) : messageTokens(content.raw, JSON.parse(content.structure) as MimeNode, { knownSender });
  const [base, own] = await Promise.all([baseModel(), accountCounts(store, accountId, totals, tokens)]);
  const { score, clues } = scoreTokens(tokens, combinedModel(base, own));
  if (score < JUNK_THRESHOLD || knownSender) return { junk: false, score, header: null };
  return {
    junk: true,
    score,
    header: `X-Junk-Filter: spam, score ${score.toFixed(3)} >= ${JUNK_THRESHOLD}, first contact; ${describeClues(clues)}`,
  };
}
