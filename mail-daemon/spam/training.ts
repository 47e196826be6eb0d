// The junk filter learns from what the user does, wherever it is done (IMAP
// MOVE/COPY and STORE, the web app's buttons and folder moves all go through
// the store's moveMessages/copyMessages/setFlags, which call here after their
// commit):
// - into Junk from another folder: spam; out of Junk into any folder but
//   Trash: ham (deleting junk says nothing new);
// - the $Junk keyword set: spam; $NotJunk set: ham (the keywords mail clients
//   such as Thunderbird set, RFC 5788 registry).
// A content is trained once per account; a changed verdict takes the old
// counts back first.
import type { MailStore } from '../store/context.ts';
import { wholeContent } from '../store/content.ts';
import type { MimeNode } from '../store/mime-structure.ts';
import { runTransaction } from '../store/transaction.ts';
import { changeCounts } from './account-model.ts';
import { isCorrespondent } from './correspondents.ts';
import { messageTokens } from './message-tokens.ts';

export type Verdict = 'spam' | 'ham';

/** Messages trained per user action at most: moving 50,000 messages to Junk must not parse them all. */
const MAX_PER_ACTION = 200;

export function verdictOfMove(sourceSpecialUse: string | null, targetSpecialUse: string | null): Verdict | null {
  const fromJunk = sourceSpecialUse === '\\Junk';
  const toJunk = targetSpecialUse === '\\Junk';
  if (toJunk && !fromJunk) return 'spam';
  if (fromJunk && !toJunk && targetSpecialUse !== '\\Trash') return 'ham';
  return null;
}

/** The verdict a keyword change gives, when one of the junk keywords was added. */
export function verdictOfKeywords(before: string[], after: string[]): Verdict | null {
  const added = (keyword: string) => {
    const has = (list: string[]) => list.some((f) => f.toLowerCase() === keyword);
    return has(after) && !has(before);
  };
  if (added('$junk')) return 'spam';
  if (added('$notjunk')) return 'ham';
  return null;
}

export async function trainContents(store: MailStore, accountId: number, contentHashes: string[], verdict: Verdict): Promise<void> {
  const prisma = store.database.prisma;
  for (const contentHash of [...new Set(contentHashes)].slice(0, MAX_PER_ACTION)) {
    const before = await prisma.spamTrained.findUnique({ where: { accountId_contentHash: { accountId, contentHash } } });
    if (before && before.spam === (verdict === 'spam')) continue;
    const content = await prisma.messageContent.findUnique({ where: { hash: contentHash }, select: { raw: true, size: true, structure: true } });
    if (!content) continue;
    const raw = await wholeContent(store.database, contentHash, content.raw, content.size);
    const structure = JSON.parse(content.structure) as MimeNode;
    const from = await prisma.message.findFirst({ where: { contentHash, mailbox: { accountId } }, select: { fromAddress: true } });
    const tokens = messageTokens(raw, structure, { knownSender: await isCorrespondent(store, accountId, [from?.fromAddress ?? '']) });
    await runTransaction(store.database, async (tx) => {
      if (before) await changeCounts(tx, accountId, tokens, before.spam ? 'spam' : 'ham', -1);
      await changeCounts(tx, accountId, tokens, verdict, 1);
      await tx.spamTrained.upsert({
        where: { accountId_contentHash: { accountId, contentHash } },
        create: { accountId, contentHash, spam: verdict === 'spam' },
        update: { spam: verdict === 'spam' },
      });
    });
  }
}

/** Training after a user action; a failure is logged, the action itself already succeeded. */
export function trainAfterAction(store: MailStore, accountId: number, contentHashes: string[], verdict: Verdict | null): Promise<void> {
  if (!verdict || contentHashes.length === 0) return Promise.resolve();
  return trainContents(store, accountId, contentHashes, verdict).catch((error) => console.error(`spam: training account ${accountId} failed: ${error}`));
}
