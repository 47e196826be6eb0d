// The web app and the daemon are separate processes: a change made in one is
// heard in the other, on SQLite (shared file) and on PostgreSQL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import type { StoreChange } from '../../mail-daemon/store/change-bus.ts';

const childScript = new URL('../support/store-child.ts', import.meta.url).pathname;

function startChild(args: string[]): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, lines };
}

async function nextLine(lines: AsyncIterator<string>, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no line from the other process within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const { value, done } = await Promise.race([lines.next(), timeout]);
    if (done) throw new Error('the other process ended');
    return value;
  } finally {
    clearTimeout(timer);
  }
}

for (const engine of ENGINES) {
  describe(`store changes across processes on ${engine}`, () => {
    let store: TestStore;
    let accountId: number;

    before(async () => {
      store = await createTestStore(engine);
      [{ id: accountId }] = await addTestAccounts(store, 'example.test', ['dana']);
    });
    after(() => store.dispose());

    it('a listening process hears a delivery made by this one', async () => {
      const { child, lines } = startChild(['listen', store.testDatabase.url]);
      try {
        assert.equal(await nextLine(lines, 20_000), 'ready');
        const [copy] = await deliverMessage(store, buildMessage({ subject: 'cross' }), [{ accountId }]);
        const change = JSON.parse(await nextLine(lines, 2_000)) as StoreChange;
        assert.deepEqual(change, { accountId, mailboxId: copy.mailboxId, kind: 'messages-added', modseq: copy.modseq });
      } finally {
        child.stdin!.end();
        await new Promise((r) => child.on('exit', r));
      }
    });

    it('this process hears a delivery made by another one', async () => {
      const heard: StoreChange[] = [];
      const unsubscribe = await store.bus.subscribe((change) => heard.push(change));
      try {
        const { child, lines } = startChild(['deliver', store.testDatabase.url, String(accountId)]);
        const line = await nextLine(lines, 20_000);
        await new Promise((r) => child.on('exit', r));
        const uid = Number(line.replace('delivered ', ''));
        const deadline = Date.now() + 2_000;
        while (heard.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.equal(heard.length, 1, 'heard the other process\'s delivery');
        assert.equal(heard[0].kind, 'messages-added');
        assert.equal(heard[0].accountId, accountId);
        const messages = await store.database.prisma.message.findMany({ where: { mailboxId: heard[0].mailboxId, uid } });
        assert.equal(messages[0].subject, 'from another process');
      } finally {
        unsubscribe();
      }
    });

    it('two processes delivering to one mailbox at once keep UIDs unique and increasing', async () => {
      const { child, lines } = startChild(['deliver', store.testDatabase.url, String(accountId), '25']);
      const ours = await Promise.all(
        Array.from({ length: 25 }, () => deliverMessage(store, buildMessage({ subject: 'from this process' }), [{ accountId }])),
      );
      const theirs = (await nextLine(lines, 30_000)).replace('delivered ', '').split(' ').map(Number);
      await new Promise((r) => child.on('exit', r));
      const all = [...ours.map(([copy]) => copy.uid), ...theirs].sort((a, b) => a - b);
      assert.equal(new Set(all).size, 50, 'no UID handed out twice');
      const stored = await store.database.prisma.message.findMany({ where: { mailboxId: ours[0][0].mailboxId, uid: { gte: all[0] } }, orderBy: { uid: 'asc' } });
      assert.deepEqual(stored.map((m) => m.uid), all);
    });
  });
}
