// imapflow, a real IMAP client that nobody here wrote, through a whole
// session on both engines: login over TLS, LIST, SELECT, FETCH of headers
// and of exact bytes, flags, MOVE, APPEND to Sent, SEARCH, IDLE seeing a
// delivery, and a CONDSTORE resync after changes by another session.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { ENGINES } from '../support/databases.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverTo, multipartMessage, startImapServer, TEST_PASSWORD, type ImapTestServer } from './imap-harness.ts';

function client(server: ImapTestServer, secure = true): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: secure ? server.tlsPort : server.port,
    secure,
    tls: { rejectUnauthorized: false },
    auth: { user: 'alice@example.test', pass: TEST_PASSWORD },
    logger: false,
  });
}

for (const engine of ENGINES) {
  describe(`imapflow on ${engine}`, () => {
    let server: ImapTestServer;
    let imap: ImapFlow;
    const report = multipartMessage('Quarterly report');
    before(async () => {
      server = await startImapServer(engine);
      await deliverTo(server, server.alice, [report]);
      await deliverTo(server, server.alice, Array.from({ length: 150 }, (_, i) => buildMessage({ subject: `bulk ${i}` })));
      imap = client(server);
      await imap.connect();
    });
    after(async () => {
      await imap.logout().catch(() => undefined);
      await server.dispose();
    });

    it('lists the folders with their special use', async () => {
      const folders = await imap.list();
      const byPath = Object.fromEntries(folders.map((f) => [f.path, f.specialUse ?? null]));
      assert.deepEqual(byPath, { Archive: '\\Archive', Drafts: '\\Drafts', INBOX: '\\Inbox', Junk: '\\Junk', Sent: '\\Sent', Trash: '\\Trash' });
    });

    it('selects INBOX and fetches envelopes of every message', async () => {
      const mailbox = await imap.mailboxOpen('INBOX');
      assert.equal(mailbox.exists, 151);
      const subjects: string[] = [];
      for await (const message of imap.fetch('1:*', { envelope: true, flags: true, uid: true })) subjects.push(message.envelope!.subject!);
      assert.equal(subjects.length, 151);
      assert.equal(subjects[0], 'Quarterly report');
      assert.equal(subjects[150], 'bulk 149');
    });

    it('fetches the exact delivered bytes, the structure and one part', async () => {
      const message = await imap.fetchOne('1', { source: true, bodyStructure: true });
      assert.ok(message);
      assert.deepEqual(message.source, report);
      assert.equal(message.bodyStructure?.childNodes?.length, 2);
      assert.equal(message.bodyStructure?.childNodes?.[1].type, 'application/pdf');
      const { content } = await imap.download('1', '2');
      assert.ok(content);
      const chunks: Buffer[] = [];
      for await (const chunk of content) chunks.push(chunk as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), '%PDF-1.4\n');
    });

    it('flags, searches, moves and appends', async () => {
      assert.ok(await imap.messageFlagsAdd('1:2', ['\\Flagged', '$Work']));
      assert.deepEqual(await imap.search({ flagged: true }), [1, 2]);
      assert.deepEqual(await imap.search({ subject: 'bulk 149' }, { uid: true }), [151]);
      const moved = await imap.messageMove('2', 'Archive');
      assert.ok(moved);
      assert.deepEqual([...(moved.uidMap?.entries() ?? [])], [[2, 1]]);
      const appended = await imap.append('Sent', buildMessage({ subject: 'sent from imapflow' }), ['\\Seen'], new Date('2026-11-21T08:00:00Z'));
      assert.ok(appended);
      assert.equal(appended.uid, 1);
      const status = await imap.status('Sent', { messages: true, unseen: true });
      assert.ok(status);
      assert.deepEqual([status.messages, status.unseen], [1, 0]);
      const inbox = await imap.status('INBOX', { messages: true });
      assert.ok(inbox);
      assert.equal(inbox.messages, 150);
    });

    it('sees a new delivery while in IDLE', async () => {
      const seen = new Promise<number>((resolve) => imap.once('exists', (data: { count: number }) => resolve(data.count)));
      const idling = imap.idle();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await deliverTo(server, server.alice, [buildMessage({ subject: 'while idling' })]);
      assert.equal(await seen, 151);
      await imap.noop();
      await idling.catch(() => undefined);
    });

    it('resyncs with CONDSTORE after another session changed flags', async () => {
      const { highestModseq } = imap.mailbox as { highestModseq?: bigint };
      assert.ok(highestModseq);
      const other = client(server, false);
      await other.connect();
      await other.mailboxOpen('INBOX');
      await other.messageFlagsAdd('3', ['\\Seen']);
      await other.logout();
      const changed: number[] = [];
      for await (const message of imap.fetch('1:*', { flags: true, uid: true }, { changedSince: highestModseq })) changed.push(message.uid);
      assert.ok(changed.includes(4), `UID 4 is among the changed: ${changed}`);
    });
  });
}
