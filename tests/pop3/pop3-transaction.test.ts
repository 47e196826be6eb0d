// POP3 TRANSACTION and UPDATE states on SQLite and PostgreSQL: STAT, LIST,
// UIDL, RETR, TOP, DELE, NOOP, RSET and QUIT, with bad arguments, pipelining,
// and what the rest of the store sees (deletions, \Seen, the change bus).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { ENGINES } from '../support/databases.ts';
import { TEST_PASSWORD, addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { listMessages } from '../../mail-daemon/store/messages.ts';
import { expungeMessages } from '../../mail-daemon/store/expunge.ts';
import type { StoreChange } from '../../mail-daemon/store/change-bus.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';
import { openDatabase } from '../../prisma/database.ts';
import { closeMailStore, createMailStore } from '../../mail-daemon/store/context.ts';
import { startPop3Fixture, type Pop3Fixture } from './pop3-fixture.ts';
import { Pop3Transcript } from './pop3-transcript.ts';

/** What a client gets back from a RETR body: byte-stuffing undone, terminator removed. */
function unstuff(body: Buffer): Buffer {
  const text = body.subarray(0, body.length - 3).toString('latin1');
  return Buffer.from(text.replace(/^\./, '').replace(/\r\n\./g, '\r\n'), 'latin1');
}

for (const engine of ENGINES) {
  describe(`POP3 TRANSACTION on ${engine}`, () => {
    let fixture: Pop3Fixture;
    let port: number;
    let n = 0;
    const messages = [
      buildMessage({ subject: 'first', body: 'plain body\n' }),
      buildMessage({ subject: 'dots', body: '.leading dot\n..two dots\n.\nend\n' }),
      buildMessage({ subject: 'third', body: 'line 1\nline 2\nline 3\nline 4\n' }),
    ];

    /** A fresh account with the three messages. */
    async function account(): Promise<AccountView> {
      const name = `user${++n}`;
      const [acct] = await addTestAccounts(fixture.daemon.context.store, `d${n}.test`, [name]);
      await fixture.deliver(acct, messages);
      return acct;
    }

    async function session(acct: AccountView): Promise<Pop3Transcript> {
      const client = await Pop3Transcript.connect(port);
      await client.login(acct.address, TEST_PASSWORD);
      return client;
    }

    async function storedUids(acct: AccountView): Promise<number[]> {
      const inbox = await inboxOf(fixture.daemon.context.store, acct.id);
      return (await listMessages(fixture.daemon.context.store, acct.id, inbox.id)).map((m) => m.uid);
    }

    before(async () => {
      fixture = await startPop3Fixture(engine, []);
      port = fixture.daemon.port('pop3');
    });
    after(() => fixture.daemon.dispose());

    it('STAT and LIST report exact octet counts, LIST n one message', async () => {
      const client = await session(await account());
      const sizes = messages.map((m) => m.length);
      await client.expect('STAT', `+OK 3 ${sizes[0] + sizes[1] + sizes[2]}`);
      assert.deepEqual(await client.multi('LIST', /^\+OK 3 messages$/), sizes.map((s, i) => `${i + 1} ${s}`));
      await client.expect('LIST 2', `+OK 2 ${sizes[1]}`);
      await client.expect('NOOP', '+OK');
      await client.quit();
    });

    it('UIDL gives unique ids that stay the same in the next session and after other messages go', async () => {
      const acct = await account();
      const client = await session(acct);
      const ids = await client.multi('UIDL');
      assert.equal(ids.length, 3);
      const values = ids.map((l) => l.split(' ')[1]);
      assert.equal(new Set(values).size, 3);
      for (const v of values) assert.match(v, /^[\x21-\x7e]{1,70}$/, 'RFC 1939 7: 1 to 70 characters 0x21-0x7E');
      await client.expect('UIDL 3', `+OK 3 ${values[2]}`);
      await client.expect('DELE 1', /^\+OK/);
      await client.quit();
      const again = await session(acct);
      assert.deepEqual(await again.multi('UIDL'), [`1 ${values[1]}`, `2 ${values[2]}`]);
      await again.quit();
    });

    it('RETR sends the stored bytes, byte-stuffed, with the size it announced', async () => {
      const client = await session(await account());
      for (const [i, original] of messages.entries()) {
        await client.expect(`RETR ${i + 1}`, `+OK ${original.length} octets`);
        const body = await client.body();
        assert.ok(unstuff(body).equals(original), `message ${i + 1} is byte-exact`);
      }
      client.send('RETR 2');
      assert.match(await client.line(), /^\+OK/);
      const stuffed = (await client.body()).toString('latin1');
      assert.match(stuffed, /\r\n\.\.leading dot\r\n\.\.\.two dots\r\n\.\.\r\nend\r\n\.\r\n$/);
      await client.quit();
    });

    it('TOP sends the header, the blank line and n body lines', async () => {
      const client = await session(await account());
      const header = messages[2].toString('latin1').split('\r\n\r\n')[0];
      await client.expect('TOP 3 0', /^\+OK/);
      assert.equal((await client.body()).toString('latin1'), `${header}\r\n\r\n.\r\n`);
      await client.expect('TOP 3 2', /^\+OK/);
      assert.equal((await client.body()).toString('latin1'), `${header}\r\n\r\nline 1\r\nline 2\r\n.\r\n`);
      await client.expect('TOP 2 1', /^\+OK/);
      assert.match((await client.body()).toString('latin1'), /\r\n\r\n\.\.leading dot\r\n\.\r\n$/);
      await client.expect('TOP 3 x', '-ERR Line count must be a non-negative number');
      await client.expect('TOP 3 -1', '-ERR Line count must be a non-negative number');
      await client.quit();
    });

    it('refuses missing, non-numeric and out-of-range message numbers', async () => {
      const client = await session(await account());
      for (const command of ['RETR', 'DELE', 'TOP', 'TOP 1']) await client.expect(command, /^-ERR .*needs/);
      for (const arg of ['abc', '-1', '1.5', '0x1', '99999999999']) {
        await client.expect(`RETR ${arg}`, '-ERR Message number must be a positive number');
      }
      for (const command of ['LIST 0', 'LIST 4', 'UIDL 99', 'RETR 0', 'TOP 4 0', 'DELE 4']) {
        await client.expect(command, /^-ERR No message \d+$/);
      }
      await client.expect('STAT 1', /^-ERR STAT takes no arguments/);
      await client.expect('RETR 1 2', /^-ERR RETR takes at most 1 argument/);
      await client.expect('XTND XMIT', '-ERR Unknown command');
      await client.expect('STAT', /^\+OK 3 /);
      await client.quit();
    });

    it('DELE marks, hides and refuses the message; RSET brings it back', async () => {
      const acct = await account();
      const client = await session(acct);
      await client.expect('DELE 2', '+OK Message 2 deleted');
      for (const command of ['DELE 2', 'RETR 2', 'TOP 2 1', 'LIST 2', 'UIDL 2']) {
        await client.expect(command, '-ERR Message 2 is already deleted');
      }
      await client.expect('STAT', `+OK 2 ${messages[0].length + messages[2].length}`);
      assert.deepEqual((await client.multi('LIST')).map((l) => l.split(' ')[0]), ['1', '3'], 'numbers stay fixed');
      await client.expect('RSET', /^\+OK Maildrop has 3 messages/);
      await client.expect('LIST 2', `+OK 2 ${messages[1].length}`);
      await client.expect('DELE 1', /^\+OK/);
      await client.drop();
      // A dropped connection deletes nothing.
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await storedUids(acct)).length, 3);
    });

    it('QUIT removes the DELE-marked messages in one change that IMAP and the web app hear', async () => {
      const acct = await account();
      const inbox = await inboxOf(fixture.daemon.context.store, acct.id);
      const before = await storedUids(acct);
      const changes: StoreChange[] = [];
      const unsubscribe = await fixture.daemon.context.store.bus.subscribe((c) => changes.push(c));
      const client = await session(acct);
      await client.expect('DELE 1', /^\+OK/);
      await client.expect('DELE 3', /^\+OK/);
      assert.deepEqual(await storedUids(acct), before, 'nothing is removed before QUIT');
      assert.equal(await client.quit(), '+OK mail.example.test POP3 server signing off (2 messages deleted)');
      assert.deepEqual(await storedUids(acct), [before[1]]);
      const removals = changes.filter((c) => c.kind === 'messages-removed' && c.mailboxId === inbox.id);
      assert.equal(removals.length, 1, 'one transaction, one broadcast');
      unsubscribe();
      const again = await session(acct);
      await again.expect('STAT', `+OK 1 ${messages[1].length}`);
      await again.quit();
    });

    it('RETR marks \\Seen when the session ends; TOP does not', async () => {
      const acct = await account();
      const client = await session(acct);
      await client.expect('RETR 1', /^\+OK/);
      await client.body();
      await client.expect('TOP 2 5', /^\+OK/);
      await client.body();
      await client.expect('RETR 3', /^\+OK/);
      await client.body();
      await client.expect('DELE 3', /^\+OK/);
      await client.quit();
      const inbox = await inboxOf(fixture.daemon.context.store, acct.id);
      const stored = await listMessages(fixture.daemon.context.store, acct.id, inbox.id);
      assert.deepEqual(stored.map((m) => m.flags.includes('\\Seen')), [true, false]);
    });

    it('answers -ERR for a message another client removed during the session', async () => {
      const acct = await account();
      const client = await session(acct);
      const inbox = await inboxOf(fixture.daemon.context.store, acct.id);
      const [first] = await storedUids(acct);
      await expungeMessages(fixture.daemon.context.store, acct.id, inbox.id, { onlyDeleted: false, uids: [first] });
      await client.expect('RETR 1', '-ERR Message 1 was removed by another client');
      await client.expect('RETR 2', /^\+OK/);
      await client.body();
      await client.expect('DELE 1', /^\+OK/);
      assert.match(await client.quit(), /^\+OK .*\(0 messages deleted\)$/);
    });

    it('answers a pipelined burst in order', async () => {
      const client = await session(await account());
      const burst = Array.from({ length: 100 }, (_, i) => `STAT\r\nLIST ${(i % 3) + 1}\r\nRETR ${(i % 3) + 1}\r\nNOOP\r\nUIDL 9\r\n`).join('');
      client.send(Buffer.from(burst));
      for (let i = 0; i < 100; i++) {
        const k = i % 3;
        assert.match(await client.line(), /^\+OK 3 \d+$/);
        assert.equal(await client.line(), `+OK ${k + 1} ${messages[k].length}`);
        assert.equal(await client.line(), `+OK ${messages[k].length} octets`);
        assert.ok(unstuff(await client.body()).equals(messages[k]));
        assert.equal(await client.line(), '+OK');
        assert.equal(await client.line(), '-ERR No message 9');
      }
      await client.quit();
    });

    it('RETR of a maildrop larger than the read-ahead returns each message byte-exact, in any order', async () => {
      const [acct] = await addTestAccounts(fixture.daemon.context.store, 'many.test', ['many']);
      const many = Array.from({ length: 70 }, (_, i) => buildMessage({ subject: `many ${i}`, body: `${'.x\n'.repeat(i)}end ${i}\n` }));
      await fixture.deliver(acct, many);
      const client = await session(acct);
      for (const n of [5, 6, 7]) await client.expect(`DELE ${n}`, /^\+OK/);
      const order = [...Array.from({ length: 70 }, (_, i) => i + 1).filter((n) => n < 5 || n > 7), 3, 69, 1];
      for (const n of order) {
        await client.expect(`RETR ${n}`, `+OK ${many[n - 1].length} octets`);
        assert.ok(unstuff(await client.body()).equals(many[n - 1]), `message ${n}`);
      }
      await client.expect('RETR 6', '-ERR Message 6 is already deleted');
      await client.quit();
    });

    it('answers a 10 kB line with -ERR and keeps the session', async () => {
      const client = await session(await account());
      await client.expect(`RETR ${'1'.repeat(10_000)}`, '-ERR Line too long');
      await client.expect('STAT', /^\+OK 3 /);
      await client.quit();
    });

    it('QUIT ends the session: commands pipelined after it get no reply', async () => {
      const acct = await account();
      const client = await session(acct);
      client.send('DELE 1\r\nQUIT\r\nDELE 2\r\nSTAT\r\n');
      assert.equal(await client.line(), '+OK Message 1 deleted');
      assert.match(await client.line(), /^\+OK .*\(1 message deleted\)$/);
      await client.closed();
      assert.equal((await storedUids(acct)).length, 2);
    });

    it('keeps a session on a second daemon sharing the database out with [IN-USE]', async (t) => {
      if (engine !== 'postgres') return t.skip('PostgreSQL only: a SQLite file is served by one daemon');
      // A second daemon: its own store and connections to the same database.
      const url = new URL(fixture.daemon.database.url);
      url.searchParams.set('application_name', 'second-daemon');
      const otherStore = createMailStore(await openDatabase(url.toString()));
      const otherPort = await fixture.extraServer(t, { store: otherStore });
      // After hooks run in order: the server stops before its store closes.
      t.after(() => closeMailStore(otherStore));
      const acct = await account();

      const here = await session(acct);
      const there = await Pop3Transcript.connect(otherPort);
      await there.expect(`USER ${acct.address}`, /^\+OK/);
      await there.expect(`PASS ${TEST_PASSWORD}`, /^-ERR \[IN-USE\] /);
      await here.expect('DELE 1', /^\+OK/);
      await here.quit();
      await there.login(acct.address, TEST_PASSWORD);
      await there.expect('STAT', /^\+OK 2 /);
      // Dropped without QUIT on the second daemon: the lock goes with the session.
      await there.drop();
      for (let i = 0; ; i++) {
        const again = await Pop3Transcript.connect(port);
        await again.expect(`USER ${acct.address}`, /^\+OK/);
        const reply = await again.command(`PASS ${TEST_PASSWORD}`);
        if (reply.startsWith('+OK')) {
          await again.quit();
          break;
        }
        assert.match(reply, /\[IN-USE\]/);
        assert.ok(i < 50, 'the lock is released after the drop');
        await again.quit();
        await new Promise((r) => setTimeout(r, 20));
      }
    });

    it('a client that stops reading during a large RETR holds no lock once gone and does not block shutdown', async (t) => {
      const [acct] = await addTestAccounts(fixture.daemon.context.store, `big-${engine}.test`, ['big']);
      const big = buildMessage({ subject: 'big', body: `${'x'.repeat(76)}\n`.repeat(100_000) });
      await fixture.deliver(acct, [big]);
      const extraPort = await fixture.extraServer(t);
      const stalled = () => {
        const socket = connect({ host: '127.0.0.1', port: extraPort });
        socket.on('error', () => undefined);
        socket.pause();
        socket.write(`USER ${acct.address}\r\nPASS ${TEST_PASSWORD}\r\nRETR 1\r\n`);
        return socket;
      };
      const first = stalled();
      await new Promise((r) => setTimeout(r, 300));
      first.destroy();
      // The lock goes with the dropped session, although its RETR was waiting for the client.
      for (let i = 0; ; i++) {
        const again = await Pop3Transcript.connect(port);
        await again.expect(`USER ${acct.address}`, /^\+OK/);
        const reply = await again.command(`PASS ${TEST_PASSWORD}`);
        await again.quit();
        if (reply.startsWith('+OK')) break;
        assert.ok(i < 100, `the lock is released: ${reply}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      // A second one stays stalled: closing the extra server (after this test) must not wait for it.
      stalled();
      await new Promise((r) => setTimeout(r, 300));
    });

    it('an empty maildrop lists nothing', async () => {
      const [acct] = await addTestAccounts(fixture.daemon.context.store, 'empty.test', ['nobody']);
      const client = await session(acct);
      await client.expect('STAT', '+OK 0 0');
      assert.deepEqual(await client.multi('LIST'), []);
      assert.deepEqual(await client.multi('UIDL'), []);
      await client.expect('RETR 1', '-ERR No message 1');
      assert.match(await client.quit(), /\(0 messages deleted\)/);
    });
  });
}
