// Full-text search over the decoded text of an account's messages, through
// the database's own index: SQLite FTS5 or a PostgreSQL tsvector with a GIN
// index (tables in the hand-written migration *_message_text_search). IMAP
// SEARCH BODY/TEXT and the web app's search both call searchMessageText.
//
// The text is indexed once per stored content (by hash, so copies and moves
// share it): at delivery, and for anything delivered before (or stored by a
// path that does not index) by the first search that covers it. The index
// narrows the candidates; each is then confirmed as a substring match on the
// stored text (RFC 3501 6.4.4), so both engines answer the same.
import type { Engine } from '../../prisma/database.ts';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { MailStore } from './context.ts';
import { getOwnedMailbox } from './mailboxes.ts';
import { extractMessageText, indexTerms, normalizeSearchText, queryTerm, searchWords } from './message-text.ts';
import type { MimeNode } from './mime-structure.ts';
import { runTransaction, type Tx } from './transaction.ts';
import { wholeContent } from './content.ts';
import { runInTx, withoutRows, type Steps } from './sql-steps.ts';

export interface PreparedText {
  header: string;
  body: string;
  /** Index terms, one space between them. */
  terms: string;
  /** False when the message has too many terms to index: every search then confirms it on its text. */
  complete: boolean;
}

export interface TextSearchQuery {
  /** One mailbox of the account; all of its mailboxes when left out. */
  mailboxId?: number;
  query: string;
  /** "text": header and body (IMAP TEXT, the default); "body": the body only (IMAP BODY). */
  part?: 'text' | 'body';
  /**
   * Only the newest `limit` hits (by internal date, then id), older than
   * `before` when given: a page for the web app, which then need not confirm
   * every message a common word is in. Without it, every hit (IMAP SEARCH).
   */
  newest?: { limit: number; before?: { date: Date; id: number } };
}

export interface TextSearchHit {
  messageId: number;
  mailboxId: number;
  uid: number;
  internalDate: Date;
}

type Candidate = { id: number; mailboxId: number; uid: number; hash: string; complete: boolean | number; internalDate: Date | string | number };

/** Contents indexed or confirmed per query and transaction. */
const BATCH = 200;

/** Works out what is stored for a message's text; outside any transaction, like prepareContent. */
export function prepareMessageText(raw: Buffer, structure: MimeNode): PreparedText {
  const text = extractMessageText(raw, structure);
  const header = clean(text.header);
  const body = clean(text.body);
  const { terms, complete } = indexTerms(normalizeSearchText(`${header}\n${body}`));
  return { header, body, terms: terms.join(' '), complete };
}

/** Stores the text of a content unless it is there already; in the transaction that stores the content. */
export function* messageTextSteps(engine: Engine, hash: string, text: PreparedText): Steps<void> {
  if (engine === 'postgres') {
    yield withoutRows(Prisma.sql`INSERT INTO "MessageText" ("hash", "header", "body", "complete", "terms")
      VALUES (${hash}, ${text.header}, ${text.body}, ${text.complete}, array_to_tsvector(string_to_array(${text.terms}, ' ')))
      ON CONFLICT ("hash") DO NOTHING`);
    return;
  }
  const inserted = yield Prisma.sql`INSERT INTO "MessageText" ("hash", "header", "body", "complete")
    VALUES (${hash}, ${text.header}, ${text.body}, ${text.complete})
    ON CONFLICT ("hash") DO NOTHING RETURNING "id"`;
  if (inserted.length > 0 && text.terms) {
    yield Prisma.sql`INSERT INTO "MessageTextIndex" (rowid, "terms") VALUES (${Number(inserted[0].id)}, ${text.terms})`;
  }
}

/**
 * PostgreSQL: the texts of contents stored before (deferred-text-index.ts),
 * in one statement; those whose content is gone meanwhile are left out.
 */
export function postgresTextsStatement(texts: Map<string, PreparedText>): Prisma.Sql {
  const entries = [...texts];
  return Prisma.sql`INSERT INTO "MessageText" ("hash", "header", "body", "complete", "terms")
    SELECT t."hash", t."header", t."body", t."complete", array_to_tsvector(string_to_array(t."terms", ' '))
    FROM unnest(${entries.map(([hash]) => hash)}::text[], ${entries.map(([, t]) => t.header)}::text[], ${entries.map(([, t]) => t.body)}::text[],
      ${entries.map(([, t]) => t.complete)}::boolean[], ${entries.map(([, t]) => t.terms)}::text[]) AS t("hash", "header", "body", "complete", "terms")
    WHERE EXISTS (SELECT 1 FROM "MessageContent" c WHERE c."hash" = t."hash")
    ON CONFLICT ("hash") DO NOTHING`;
}

export function storeMessageText(tx: Tx, engine: Engine, hash: string, text: PreparedText): Promise<void> {
  return runInTx(tx, messageTextSteps(engine, hash, text));
}

/** Messages of the account (or of one of its mailboxes) whose text contains the query: in mailbox and UID order, or a page of the newest. */
export async function searchMessageText(store: MailStore, accountId: number, search: TextSearchQuery): Promise<TextSearchHit[]> {
  const prisma = store.database.prisma;
  if (search.mailboxId !== undefined) await getOwnedMailbox(prisma, accountId, search.mailboxId);
  const scope = search.mailboxId !== undefined ? Prisma.sql`m."mailboxId" = ${search.mailboxId}` : Prisma.sql`b."accountId" = ${accountId}`;
  await indexMissingTexts(store, scope);

  const needle = normalizeSearchText(search.query);
  const words = [...new Set(searchWords(needle).map(queryTerm))];
  const where = Prisma.sql`${scope} AND ${indexCondition(store.database.engine, words)}`;
  if (!search.newest) {
    const candidates = await findCandidates(store, where, Prisma.sql`ORDER BY m."mailboxId", m."uid"`, words);
    return confirmed(store, candidates, needle, words, search.part);
  }
  // Newest first: candidates a batch at a time, until the page is full.
  const { limit } = search.newest;
  const hits: TextSearchHit[] = [];
  let before = search.newest.before;
  for (;;) {
    const older = before ? Prisma.sql` AND (m."internalDate" < ${before.date} OR (m."internalDate" = ${before.date} AND m."id" < ${before.id}))` : Prisma.empty;
    const batch = await findCandidates(store, Prisma.sql`${where}${older}`, Prisma.sql`ORDER BY m."internalDate" DESC, m."id" DESC LIMIT ${NEWEST_BATCH}`, words);
    hits.push(...(await confirmed(store, batch, needle, words, search.part)));
    if (hits.length >= limit || batch.length < NEWEST_BATCH) return hits.slice(0, limit);
    const last = batch[batch.length - 1];
    before = { date: toDate(last.internalDate), id: last.id };
  }
}

/** Candidates read per query when only the newest hits are wanted. */
const NEWEST_BATCH = 500;

function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
}

/** Messages whose content the index may hold the words in. */
async function findCandidates(store: MailStore, where: Prisma.Sql, order: Prisma.Sql, words: string[]): Promise<Candidate[]> {
  const prisma = store.database.prisma;
  const query = prisma.$queryRaw<Candidate[]>`
    SELECT m."id", m."mailboxId", m."uid", m."contentHash" AS "hash", t."complete", m."internalDate"
    FROM "Message" m JOIN "Mailbox" b ON b."id" = m."mailboxId" JOIN "MessageText" t ON t."hash" = m."contentHash"
    WHERE ${where} ${order}`;
  // PostgreSQL prices a prefix match on a GIN index far above what it costs
  // (measured: 0.7 ms through the index, 13 ms by a scan of 3,000 rows) and
  // so scans every row's tsvector; for this one query it is told not to.
  return store.database.engine === 'postgres' && words.length > 0
    ? (await prisma.$transaction([prisma.$executeRaw`SET LOCAL enable_seqscan = off`, query]))[1]
    : await query;
}

/** The candidates whose text does hold the needle, in their order. */
async function confirmed(store: MailStore, candidates: Candidate[], needle: string, words: string[], part: TextSearchQuery['part']): Promise<TextSearchHit[]> {
  // RFC 3501 6.4.4: a substring, case-insensitively; an empty one is in every message.
  const matching = new Set<string>();
  // One word of at most TERM_LENGTH characters: the index (over header and
  // body together) answers exactly, as it starts a term just when it is
  // inside a word. TEXT takes its answer; BODY only where the header does not
  // have the word too, which the short header tells without the body.
  const oneWord = words.length === 1 && words[0] === needle;
  const byIndex = [...new Set(candidates.filter((c) => oneWord && c.complete).map((c) => c.hash))];
  const toConfirm = new Set(candidates.filter((c) => !(oneWord && c.complete)).map((c) => c.hash));
  if (part === 'body') {
    await eachText(store, byIndex, Prisma.sql`"header", '' AS "body"`, (text) => {
      if (normalizeSearchText(text.header).includes(needle)) toConfirm.add(text.hash);
      else matching.add(text.hash);
    });
  } else for (const hash of byIndex) matching.add(hash);
  const columns = part === 'body' ? Prisma.sql`'' AS "header", "body"` : Prisma.sql`"header", "body"`;
  await eachText(store, [...toConfirm], columns, (text) => {
    if (normalizeSearchText(text.body).includes(needle) || normalizeSearchText(text.header).includes(needle)) matching.add(text.hash);
  });
  return candidates
    .filter((c) => matching.has(c.hash))
    .map((c) => ({ messageId: c.id, mailboxId: c.mailboxId, uid: Number(c.uid), internalDate: toDate(c.internalDate) }));
}

/** Reads the stored text of contents, a batch at a time; `columns` selects "header" and "body" (or '' for either). */
async function eachText(store: MailStore, hashes: string[], columns: Prisma.Sql, visit: (text: { hash: string; header: string; body: string }) => void): Promise<void> {
  for (let i = 0; i < hashes.length; i += BATCH) {
    const texts = await store.database.prisma.$queryRaw<{ hash: string; header: string; body: string }[]>`
      SELECT "hash", ${columns} FROM "MessageText" WHERE "hash" IN (${Prisma.join(hashes.slice(i, i + BATCH))})`;
    texts.forEach(visit);
  }
}

/** The contents the index may hold the query in: every query word starts a term of the text. */
function indexCondition(engine: Engine, words: string[]): Prisma.Sql {
  if (words.length === 0) return Prisma.sql`TRUE`;
  if (engine === 'postgres') {
    const query = words.map((w) => `'${w}':*`).join(' & ');
    return Prisma.sql`m."contentHash" IN (
      SELECT "hash" FROM "MessageText" WHERE "terms" @@ ${query}::tsquery
      UNION ALL SELECT "hash" FROM "MessageText" WHERE NOT "complete")`;
  }
  const query = words.map((w) => `"${w}"*`).join(' AND ');
  return Prisma.sql`m."contentHash" IN (
    SELECT t."hash" FROM "MessageText" t WHERE t."id" IN (SELECT rowid FROM "MessageTextIndex" WHERE "MessageTextIndex" MATCH ${query})
    UNION ALL SELECT "hash" FROM "MessageText" WHERE NOT "complete")`;
}

/** Indexes the contents in scope that have no text row yet (delivered before indexing existed, or by another path). */
async function indexMissingTexts(store: MailStore, scope: Prisma.Sql): Promise<void> {
  const prisma = store.database.prisma;
  const missing = await prisma.$queryRaw<{ hash: string }[]>`
    SELECT DISTINCT m."contentHash" AS "hash"
    FROM "Message" m JOIN "Mailbox" b ON b."id" = m."mailboxId"
    WHERE ${scope} AND NOT EXISTS (SELECT 1 FROM "MessageText" t WHERE t."hash" = m."contentHash")`;
  for (let i = 0; i < missing.length; i += BATCH) {
    const batch = missing.slice(i, i + BATCH).map((m) => m.hash);
    const prepared: { hash: string; text: PreparedText }[] = [];
    // Read a few at a time: contents can be large.
    for (let j = 0; j < batch.length; j += 20) {
      const contents = await prisma.messageContent.findMany({ where: { hash: { in: batch.slice(j, j + 20) } }, select: { hash: true, raw: true, size: true, structure: true } });
      for (const c of contents) prepared.push({ hash: c.hash, text: prepareMessageText(await wholeContent(store.database, c.hash, c.raw, c.size), JSON.parse(c.structure) as MimeNode) });
    }
    await runTransaction(store.database, async (tx) => {
      for (const { hash, text } of prepared) {
        // The content may have gone meanwhile (its last message expunged): then there is nothing to index.
        const stillThere = await tx.messageContent.count({ where: { hash } });
        if (stillThere > 0) await storeMessageText(tx, store.database.engine, hash, text);
      }
    });
  }
}

/** PostgreSQL text cannot hold NUL. */
function clean(value: string): string {
  return value.replace(/\u0000/g, '');
}
