// Score (0 ham ... 1 spam, bayes.ts) from which a message goes to Junk:
// SpamBayes's default spam cutoff. `npm run bench -- spam` shows what it gives
// on the SpamAssassin corpus (no false positive on the test half).
export const JUNK_THRESHOLD = 0.9;
