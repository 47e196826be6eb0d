// `npm run bench -- web`: server time of the webmail's domain functions with
// 100,000 messages in one Inbox: the first page of the list, a page deep in
// it, the conversation view, the folder list with its counts, opening a
// message, and search (a rare body word, a common one, a sender).
//
// The mailbox is filled fast: 1,000 distinct messages delivered the normal
// way (so their text is in the full-text index), then 99,000 more rows with
// createMany sharing those contents, one day of internal dates apart per 1,000.
//
// Environment: WEB_BENCH_MESSAGES (100000); WEB_BENCH_ENGINES (sqlite, or
// "sqlite,postgres" with TEST_POSTGRES_URL set).
import type { Engine } from '../../prisma/database.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { listFolders } from '../../mail-daemon/webmail/folders.ts';
import { listMessagePage } from '../../mail-daemon/webmail/message-list.ts';
import { openMessage } from '../../mail-daemon/webmail/message-view.ts';
import { searchMessages } from '../../mail-daemon/webmail/search.ts';
import { searchMessageText } from '../../mail-daemon/store/full-text-search.ts';

const TOTAL = Number(process.env.WEB_BENCH_MESSAGES ?? 100_000);
const DISTINCT = Math.min(1000, TOTAL);
const ENGINES = (process.env.WEB_BENCH_ENGINES ?? (process.env.TEST_POSTGRES_URL ? 'sqlite,postgres' : 'sqlite')).split(',') as Engine[];
const ROUNDS = 9;
const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango'.split(' ');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function time(label: string, work: () => Promise<unknown>): Promise<void> {
  await work(); // warm: first query plans, caches
  const runs: number[] = [];
  let result: unknown;
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    result = await work();
    runs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const note = typeof result === 'number' ? ` (${result} rows)` : '';
  console.log(`  ${label.padEnd(44)} median ${median(runs).toFixed(1).padStart(7)} ms   max ${Math.max(...runs).toFixed(1).padStart(7)} ms${note}`);
}

async function fill(store: TestStore, accountId: number, mailboxId: number): Promise<void> {
  const started = Date.now();
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < DISTINCT; i++) {
    const words = Array.from({ length: 60 }, (_, w) => WORDS[(i * 7 + w * 13) % WORDS.length]).join(' ');
    const rare = i === 500 ? ' zanzibar' : '';
    await deliverMessage(store, buildMessage({ from: `Sender ${i % 50} <sender${i % 50}@remote.test>`, subject: `Report ${i}`, body: `${words}${rare}\n` }), [{ accountId }], {
      internalDate: new Date(base + i * 60_000),
    });
  }
  const prisma = store.database.prisma;
  const templates = await prisma.message.findMany({ where: { mailboxId }, orderBy: { uid: 'asc' } });
  let uid = templates.length + 1;
  const BATCH = 5000;
  for (let done = DISTINCT; done < TOTAL; done += BATCH) {
    const rows = [];
    for (let i = done; i < Math.min(done + BATCH, TOTAL); i++) {
      const { id: _id, ...template } = templates[i % DISTINCT];
      rows.push({
        ...template,
        uid: uid++,
        subject: `Report ${i}`,
        internalDate: new Date(base + i * 60_000),
        threadId: `<bench-${i}@remote.test>`,
        seen: i % 3 !== 0,
      });
    }
    await prisma.message.createMany({ data: rows });
  }
  await prisma.mailbox.update({ where: { id: mailboxId }, data: { uidNext: uid, highestModseq: { increment: 1 } } });
  // Fresh statistics, as a database that grew over time would have.
  await prisma.$executeRawUnsafe('ANALYZE');
  console.log(`  filled ${TOTAL} messages (${DISTINCT} distinct contents) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export async function run(): Promise<void> {
  for (const engine of ENGINES) {
    console.log(`-- ${engine}`);
    const store = await createTestStore(engine);
    try {
      const [alice] = await addTestAccounts(store, 'example.test', ['alice']);
      const inbox = (await inboxOf(store, alice.id)).id;
      await fill(store, alice.id, inbox);

      const first = await listMessagePage(store, alice.id, inbox, { limit: 50 });
      let deep = first.nextCursor;
      for (let i = 0; i < 20; i++) deep = (await listMessagePage(store, alice.id, inbox, { limit: 200, cursor: deep })).nextCursor;
      const some = first.messages[7].id;

      await time('message list, first page (50)', async () => (await listMessagePage(store, alice.id, inbox, { limit: 50 })).messages.length);
      await time('message list, page after 4,050 rows (50)', async () => (await listMessagePage(store, alice.id, inbox, { limit: 50, cursor: deep })).messages.length);
      await time('conversation view, first page (50)', async () => (await listMessagePage(store, alice.id, inbox, { limit: 50, threads: true })).messages.length);
      await time('folder list with total and unread counts', async () => (await listFolders(store, alice.id)).length);
      await time('open a message (parse, sanitize)', async () => (await openMessage(store, alice.id, some, { markSeen: false })).attachments.length);
      await time('search body, rare word (1 in 1,000 contents)', async () => (await searchMessages(store, alice.id, { text: 'zanzibar' })).messages.length);
      await time('search body, common word (first page)', async () => (await searchMessages(store, alice.id, { text: 'foxtrot' })).messages.length);
      // What the store's full-text search alone costs for that word (every hit, before paging).
      await time('  of which searchMessageText (all hits)', async () => (await searchMessageText(store, alice.id, { query: 'foxtrot' })).length);
      await time('search by sender (first page)', async () => (await searchMessages(store, alice.id, { from: 'sender7@' })).messages.length);
      await time('search unread with attachment (none)', async () => (await searchMessages(store, alice.id, { unread: true, hasAttachment: true })).messages.length);
    } finally {
      await store.dispose();
    }
  }
}
