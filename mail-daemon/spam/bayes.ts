// The arithmetic of the junk filter, after Gary Robinson's "A statistical
// approach to the spam problem" (2003), as SpamBayes does it: each token's
// spam probability is pulled toward 0.5 while it has been seen rarely, the
// most telling tokens are combined with Fisher's chi-square method into one
// score from 0 (ham) to 1 (spam). Pure functions: no storage here.

export interface TokenCounts {
  ham: number;
  spam: number;
}

/** A model: per-token counts and how many messages of each kind they came from. */
export interface Counts {
  messages: TokenCounts;
  token(token: string): TokenCounts | undefined;
}

// Robinson's s and x: the weight and value of the prior belief about a token.
const PRIOR_STRENGTH = 0.45;
const PRIOR = 0.5;
/** Tokens whose probability is closer to 0.5 than this say nothing. */
const MIN_DEVIATION = 0.1;
/** The most telling tokens used per message. */
const MAX_DISCRIMINATORS = 150;

export interface Clue {
  token: string;
  probability: number;
}

export interface Score {
  /** 0 (ham) to 1 (spam). */
  score: number;
  /** The tokens that decided, most telling first. */
  clues: Clue[];
}

export function tokenProbability(counts: TokenCounts, messages: TokenCounts): number {
  const hamRatio = messages.ham > 0 ? counts.ham / messages.ham : 0;
  const spamRatio = messages.spam > 0 ? counts.spam / messages.spam : 0;
  if (hamRatio + spamRatio === 0) return PRIOR;
  const p = spamRatio / (hamRatio + spamRatio);
  const n = counts.ham + counts.spam;
  return (PRIOR_STRENGTH * PRIOR + n * p) / (PRIOR_STRENGTH + n);
}

/** Probability that a chi-square variable with `freedom` (even) degrees is at least `chi2`. */
function chi2Q(chi2: number, freedom: number): number {
  const m = chi2 / 2;
  let sum = Math.exp(-m);
  let term = sum;
  for (let i = 1; i < freedom / 2; i++) {
    term *= m / i;
    sum += term;
  }
  return Math.min(sum, 1);
}

export function scoreTokens(tokens: Iterable<string>, model: Counts): Score {
  const clues: Clue[] = [];
  for (const token of tokens) {
    const counts = model.token(token);
    if (!counts) continue;
    const probability = tokenProbability(counts, model.messages);
    if (Math.abs(probability - 0.5) >= MIN_DEVIATION) clues.push({ token, probability });
  }
  clues.sort((a, b) => Math.abs(b.probability - 0.5) - Math.abs(a.probability - 0.5));
  const used = clues.slice(0, MAX_DISCRIMINATORS);
  if (used.length === 0) return { score: 0.5, clues: [] };
  // Fisher: ln of the products of (1 - p) and of p over the clues.
  let logNotSpam = 0;
  let logSpam = 0;
  for (const { probability } of used) {
    const p = Math.min(Math.max(probability, 1e-6), 1 - 1e-6);
    logNotSpam += Math.log(1 - p);
    logSpam += Math.log(p);
  }
  const spamness = 1 - chi2Q(-2 * logNotSpam, 2 * used.length);
  const hamness = 1 - chi2Q(-2 * logSpam, 2 * used.length);
  return { score: (1 + spamness - hamness) / 2, clues: used };
}
