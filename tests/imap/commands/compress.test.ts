// COMPRESS=DEFLATE (RFC 4978), authenticated or selected: transcripts over a
// client that deflates and inflates (plain and TLS), refusals, a second
// COMPRESS, corrupt input and deflate bombs (the line and literal limits count
// inflated bytes); imapflow, which turns COMPRESS on by itself, through a
// proxy that counts the bytes on the wire; Python imaplib with a zlib wrapper.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, connect, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { ImapFlow } from 'imapflow';
import { buildMessage } from '../../support/messages.ts';
import { connectRaw, deflatedClient, deliverTo, imapFixture, loggedIn, TEST_PASSWORD, type RawImapClient } from '../imap-harness.ts';

async function compressed(client: RawImapClient): Promise<RawImapClient> {
  await client.transcript(`
    C: z1 COMPRESS DEFLATE
    S: z1 OK DEFLATE active
  `);
  return deflatedClient(client);
}

describe('IMAP COMPRESS', () => {
  const imap = imapFixture();

  it('deflates both directions after the OK; the session goes on as before, and sees what another session does', async () => {
    await imap.authenticated().then((c) => c.command('p0 CREATE Packed'));
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'packed', body: 'Hello, compressed world.\n' })], { mailbox: 'Packed' });
    const client = await compressed(imap.track(await loggedIn(imap.server.port)));
    const other = await imap.authenticated();
    await client.transcript(`
      C: a1 CAPABILITY
      S: * CAPABILITY {any} COMPRESS=DEFLATE
      S: a1 OK CAPABILITY completed
      C: a2 SELECT Packed
      S: * FLAGS {any}
      S: * OK [PERMANENTFLAGS {any}] Flags permitted
      S: * 1 EXISTS
      S: * 1 RECENT
      S: * OK [UNSEEN 1] First unseen
      S: * OK [UIDVALIDITY {any}] UIDs valid
      S: * OK [UIDNEXT 2] Predicted next UID
      S: * OK [HIGHESTMODSEQ {any}] Highest
      S: a2 OK [READ-WRITE] SELECT completed
      C: a3 FETCH 1 (BODY.PEEK[TEXT])
      S: * 1 FETCH (BODY[TEXT] {26}
      S: Hello, compressed world.
      S: )
      S: a3 OK FETCH completed
      C: a4 APPEND Packed {18+}
      C: Subject: again
      C:
      C:
      S: * 2 EXISTS
      S: * 2 RECENT
      S: a4 OK [APPENDUID {any} 2] APPEND completed
      C: a5 COMPRESS DEFLATE
      S: a5 NO [COMPRESSIONACTIVE] DEFLATE is active already
      C: a6 IDLE
      S: + idling
    `);
    await other.command('o0 SELECT Packed');
    await other.command('o1 STORE 1 +FLAGS.SILENT (\\Flagged)');
    await client.transcript(`
      S: * 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))
      C: DONE
      S: a6 OK IDLE terminated
      C: a7 LOGOUT
      S: * BYE Logging out
      S: a7 OK LOGOUT completed
      S: <closed>
    `);
  });

  it('works over TLS too', async () => {
    const tls = imap.track(await connectRaw(imap.server.tlsPort, { tls: true }));
    await tls.command(`t0 LOGIN alice@example.test "${TEST_PASSWORD}"`);
    const client = await compressed(tls);
    await client.transcript(`
      C: t1 STATUS INBOX (MESSAGES)
      S: * STATUS "INBOX" (MESSAGES {any})
      S: t1 OK STATUS completed
      C: t2 LOGOUT
      S: * BYE Logging out
      S: t2 OK LOGOUT completed
      S: <closed>
    `);
  });

  it('refuses COMPRESS before login, without DEFLATE, with another mechanism or more arguments', async () => {
    const anonymous = await imap.anonymous();
    await anonymous.transcript(`
      C: b1 COMPRESS DEFLATE
      S: b1 BAD COMPRESS is not allowed before login
    `);
    const client = await imap.authenticated();
    await client.transcript(`
      C: c1 COMPRESS
      S: c1 BAD missing compression mechanism
      C: c2 COMPRESS GZIP
      S: c2 BAD unknown compression mechanism GZIP
      C: c3 COMPRESS DEFLATE now
      S: c3 BAD unexpected argument after the last one
      C: c4 COMPRESS "DEFLATE"
      S: c4 BAD compression mechanism must be an atom
      C: c5 NOOP
      S: c5 OK NOOP completed
    `);
  });

  it('answers input that is not deflate data with BYE', async () => {
    const raw = imap.track(await loggedIn(imap.server.port));
    const client = await compressed(raw);
    raw.socket.write(Buffer.from('d1 NOOP\r\n'));
    await client.transcript(`
      S: * BYE Invalid compressed data
      S: <closed>
    `);
  });

  it('holds a line that inflates past the line limit to that limit, and closes (a deflate bomb)', async () => {
    const raw = imap.track(await loggedIn(imap.server.port));
    const client = await compressed(raw);
    // 64 MB of one letter deflate to about 64 KB; the line limit is 64 KiB.
    const bomb = deflateRawSync(Buffer.concat([Buffer.from('e1 NOOP '), Buffer.alloc(64 * 1024 * 1024, 'a')]), { finishFlush: 2 /* Z_SYNC_FLUSH */ });
    assert.ok(bomb.length < 128 * 1024);
    raw.socket.write(bomb);
    await client.transcript(`
      S: e1 BAD [TOOBIG] Line too long
      S: * BYE Closing the connection
      S: <closed>
    `);
  });

  it('refuses a literal over the limit at once instead of inflating it to drop it, and closes', async () => {
    const raw = imap.track(await loggedIn(imap.server.port));
    const client = await compressed(raw);
    const size = 1024 * 1024 * 1024;
    const bomb = deflateRawSync(Buffer.concat([Buffer.from(`f1 APPEND INBOX {${size}+}\r\n`), Buffer.alloc(64 * 1024 * 1024)]), { finishFlush: 2 });
    raw.socket.write(bomb);
    await client.transcript(`
      S: f1 BAD [TOOBIG] Literal of ${size} bytes is too big
      S: * BYE Closing the connection
      S: <closed>
    `);
  });
});

/** A TCP proxy to `port` that counts the bytes the server sends. */
async function countingProxy(port: number): Promise<{ port: number; fromServer(): number; close(): void }> {
  let fromServer = 0;
  const sockets: Socket[] = [];
  const proxy = createServer((client) => {
    const server = connect(port, '127.0.0.1');
    sockets.push(client, server);
    server.on('data', (chunk: Buffer) => (fromServer += chunk.length));
    client.pipe(server).pipe(client);
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    fromServer: () => fromServer,
    close: () => {
      for (const socket of sockets) socket.destroy();
      proxy.close();
    },
  };
}

describe('IMAP COMPRESS with imapflow', () => {
  const imap = imapFixture();

  it('turns COMPRESS on over TLS by itself, and a compressible message crosses the wire in a fraction of its size', async () => {
    // About 1 MB of text that deflates well, as mail often does.
    const line = 'The quarterly figures are attached; please review them before Friday.\n';
    const body = line.repeat(Math.ceil((1024 * 1024) / line.length));
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'big and plain', body })]);
    const received: Record<string, number> = {};
    for (const disableCompression of [false, true]) {
      const proxy = await countingProxy(imap.server.tlsPort);
      const logged: string[] = [];
      const client = new ImapFlow({
        host: '127.0.0.1',
        port: proxy.port,
        secure: true,
        tls: { rejectUnauthorized: false },
        auth: { user: 'alice@example.test', pass: TEST_PASSWORD },
        disableCompression,
        logger: { debug: (entry: { msg?: string }) => logged.push(String(entry.msg)), info: () => undefined, warn: () => undefined, error: () => undefined },
      });
      try {
        await client.connect();
        assert.ok(client.capabilities.has('COMPRESS=DEFLATE'), [...client.capabilities.keys()].join(' '));
        assert.equal(logged.some((msg) => / COMPRESS DEFLATE$/.test(msg)), !disableCompression, 'COMPRESS sent only when not disabled');
        await client.mailboxOpen('INBOX');
        const before = proxy.fromServer();
        const message = await client.fetchOne('*', { source: true });
        const source = message ? message.source : undefined;
        assert.ok(source, 'fetched');
        assert.ok(source.toString().includes(line.trim()));
        assert.ok(source.length > 1024 * 1024, `${source.length} bytes`);
        received[disableCompression ? 'plain' : 'deflated'] = proxy.fromServer() - before;
        await client.logout();
      } finally {
        proxy.close();
      }
    }
    // Deflated, the text is a small fraction of its size; plain, all of it (and TLS's framing).
    assert.ok(received.plain > 1024 * 1024, `plain ${received.plain} bytes`);
    assert.ok(received.deflated * 20 < received.plain, `deflated ${received.deflated} bytes against ${received.plain}`);
  });
});

describe('IMAP COMPRESS with Python imaplib', () => {
  const imap = imapFixture();

  it('runs a session deflated both ways, over the plain port and TLS', async () => {
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'for python', body: 'zlib both ways\n' })]);
    const script = new URL('../imaplib-compress.py', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)('python3', [script, String(imap.server.port), String(imap.server.tlsPort), 'alice@example.test', TEST_PASSWORD]);
    const out = JSON.parse(stdout);
    for (const run of [out.plain, out.tls]) {
      assert.deepEqual(run.compress, ['OK', 'DEFLATE active']);
      assert.deepEqual(run.again, ['NO', '[COMPRESSIONACTIVE] DEFLATE is active already']);
      assert.match(run.subject, /^Subject: for python$/m);
      assert.equal(run.body, 'zlib both ways\r\n');
      assert.match(run.append, /^\[APPENDUID \d+ \d+\] APPEND completed$/);
      assert.equal(run.logout, 'BYE');
    }
  });
});
