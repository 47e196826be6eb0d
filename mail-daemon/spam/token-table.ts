// Token counts in memory: the base model, and what the bench trains.
import type { Counts, TokenCounts } from './bayes.ts';
import { messageTokens, type TokenContext } from './message-tokens.ts';
import { prepareContent } from '../store/prepared-message.ts';
import type { MimeNode } from '../store/mime-structure.ts';

export interface SavedTable {
  messages: TokenCounts;
  /** token -> [ham, spam] */
  tokens: Record<string, [number, number]>;
}

export class TokenTable implements Counts {
  messages: TokenCounts = { ham: 0, spam: 0 };
  private counts = new Map<string, TokenCounts>();

  token(token: string): TokenCounts | undefined {
    return this.counts.get(token);
  }

  add(tokens: Iterable<string>, spam: boolean): void {
    if (spam) this.messages.spam++;
    else this.messages.ham++;
    for (const token of tokens) {
      let counts = this.counts.get(token);
      if (!counts) this.counts.set(token, (counts = { ham: 0, spam: 0 }));
      if (spam) counts.spam++;
      else counts.ham++;
    }
  }

  /** Tokens seen fewer than `minimum` times are left out: they weigh little and make most of the size. */
  save(minimum = 2): SavedTable {
    const tokens: SavedTable['tokens'] = {};
    for (const [token, c] of this.counts) if (c.ham + c.spam >= minimum) tokens[token] = [c.ham, c.spam];
    return { messages: { ...this.messages }, tokens };
  }

  static load(saved: SavedTable): TokenTable {
    const table = new TokenTable();
    table.messages = { ...saved.messages };
    for (const [token, [ham, spam]] of Object.entries(saved.tokens)) table.counts.set(token, { ham, spam });
    return table;
  }
}

/** The tokens of raw message bytes, parsing its MIME structure. */
export function tokensOfRaw(raw: Buffer, context?: TokenContext): string[] {
  const content = prepareContent(raw);
  return messageTokens(content.raw, JSON.parse(content.structure) as MimeNode, context);
}

export function trainTable(messages: Iterable<{ raw: Buffer; spam: boolean }>): TokenTable {
  const table = new TokenTable();
  for (const message of messages) table.add(tokensOfRaw(message.raw), message.spam);
  return table;
}
