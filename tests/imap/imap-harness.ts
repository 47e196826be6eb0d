// For IMAP tests: a daemon with only the IMAP service on a fresh database,
// two accounts, and a raw client that plays transcripts:
//   C: a1 LOGIN alice@example.test "correct horse battery"
//   S: a1 OK [CAPABILITY {any}] Logged in
// "C:" lines are sent with CRLF; "S:" lines are the next lines the server
// sends, in order, exactly, except that {any} matches any text.
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { Duplex } from 'node:stream';
import { constants as zlibConstants, createDeflateRaw, createInflateRaw } from 'node:zlib';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Engine } from '../../prisma/database.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';
import { imapService } from '../../mail-daemon/imap/imap-service.ts';
import { ImapServer, type ImapServerOptions } from '../../mail-daemon/imap/imap-server.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { findMailbox } from '../../mail-daemon/store/mailboxes.ts';

export { TEST_PASSWORD };

export interface ImapTestServer {
  daemon: TestDaemon;
  port: number;
  tlsPort: number;
  alice: AccountView;
  bob: AccountView;
  dispose(): Promise<void>;
}

export async function startImapServer(engine: Engine, env: Record<string, string> = {}): Promise<ImapTestServer> {
  const daemon = await startTestDaemon(engine, [imapService], env);
  const [alice, bob] = await addTestAccounts(daemon.context.store, 'example.test', ['alice', 'bob']);
  return { daemon, port: daemon.port('imap'), tlsPort: daemon.port('imaps'), alice, bob, dispose: () => daemon.dispose() };
}

/**
 * For a describe() block of one command's transcripts: a server on SQLite
 * started before its tests and disposed after them, and fresh clients in
 * each state (closed after the block).
 */
export function imapFixture(engine: Engine = 'sqlite') {
  const clients: RawImapClient[] = [];
  const fixture = {
    server: undefined as unknown as ImapTestServer,
    track(client: RawImapClient): RawImapClient {
      clients.push(client);
      return client;
    },
    /** Connected, not logged in. */
    async anonymous(): Promise<RawImapClient> {
      return fixture.track(await connectRaw(fixture.server.port));
    },
    /** Logged in as alice, nothing selected. */
    async authenticated(address?: string): Promise<RawImapClient> {
      return fixture.track(await loggedIn(fixture.server.port, address));
    },
    /** Logged in as alice with a mailbox selected (INBOX by default). */
    async selected(mailbox = 'INBOX'): Promise<RawImapClient> {
      const client = await fixture.authenticated();
      const lines = await client.command(`S1 SELECT ${mailbox}`);
      assert.match(lines[lines.length - 1], /^S1 OK /);
      return client;
    },
  };
  before(async () => {
    fixture.server = await startImapServer(engine);
  });
  after(async () => {
    for (const client of clients) client.close();
    await fixture.server.dispose();
  });
  return fixture;
}

/** One more plain IMAP listener over the server's store, with its own options (timeouts, rate): its port, and close(). */
export async function extraImapListener(server: ImapTestServer, options: Partial<ImapServerOptions>): Promise<{ port: number; close(): Promise<void> }> {
  const imap = new ImapServer({
    store: server.daemon.context.store,
    hostname: 'mail.example.test',
    tls: server.daemon.context.tls,
    allowPlaintextLoopback: true,
    maxMessageSize: 1024,
    log: () => undefined,
    ...options,
  });
  await imap.start();
  const port = await imap.listen('127.0.0.1', 0, false);
  return { port, close: () => imap.close() };
}

export class RawImapClient {
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  constructor(readonly socket: Duplex) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** The next line without its CRLF; null when the server closed the connection. */
  // 15 s, not 5: it only bounds a failing test's wait, and at load 12 to 14 a
  // LOGIN's argon2 check in a second daemon process took over 5 s.
  async readLine(timeoutMs = 15_000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end !== -1) {
        const line = this.buffer.subarray(0, end).toString('utf8');
        this.buffer = this.buffer.subarray(end + 2);
        return line;
      }
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line from the server within ${timeoutMs} ms (have ${JSON.stringify(this.buffer.toString().slice(0, 200))})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Lines up to and including the tagged reply of `tag`. */
  async until(tag: string): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.readLine();
      if (line === null) throw new Error(`connection closed before ${tag} completed; got ${JSON.stringify(lines)}`);
      lines.push(line);
      if (line.startsWith(`${tag} `)) return lines;
    }
  }

  /** Sends a command and returns every line up to its tagged reply. */
  async command(line: string): Promise<string[]> {
    const tag = line.split(' ')[0];
    this.send(`${line}\r\n`);
    return this.until(tag);
  }

  /** Plays a transcript (see the top of this file). */
  async transcript(text: string): Promise<void> {
    const steps = text
      .split('\n')
      .map((l) => l.trimStart())
      .filter(Boolean)
      // "S:" alone is an empty line.
      .map((l) => (l.trimEnd() === 'S:' || l.trimEnd() === 'C:' ? `${l.trimEnd()} ` : l));
    for (const step of steps) {
      if (step === 'S: <closed>') {
        assert.equal(await this.readLine(), null, 'expected the server to close the connection');
      } else if (step.startsWith('C: ')) {
        this.send(`${step.slice(3)}\r\n`);
      } else if (step.startsWith('S: ')) {
        const expected = step.slice(3).trimEnd();
        const line = await this.readLine().catch((error: Error) => {
          throw new Error(`${error.message}, expecting ${JSON.stringify(expected)}`);
        });
        const pattern = new RegExp(`^${expected.split('{any}').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
        assert.match(line?.trimEnd() ?? '<closed>', pattern, `expected ${JSON.stringify(expected)}`);
      } else {
        throw new Error(`bad transcript step ${step}`);
      }
    }
  }

  async expectClosed(): Promise<void> {
    assert.equal(await this.readLine(), null, 'expected the server to close the connection');
  }

  close(): void {
    this.socket.destroy();
  }
}

export async function connectRaw(port: number, options: { tls?: boolean } = {}): Promise<RawImapClient> {
  const socket = options.tls
    ? connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false })
    : connectTcp({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve());
    socket.once('error', reject);
  });
  const client = new RawImapClient(socket);
  const greeting = await client.readLine();
  assert.match(greeting ?? '', /^\* OK /);
  return client;
}

/**
 * The same connection once `COMPRESS DEFLATE` was answered OK (RFC 4978): a
 * client that deflates what it sends, with a sync flush after each write, and
 * inflates what it reads. The old client must not be used any more; write to
 * its socket to send bytes past the deflater.
 */
export function deflatedClient(client: RawImapClient): RawImapClient {
  const socket = client.socket;
  socket.removeAllListeners('data');
  const deflater = createDeflateRaw();
  const inflater = createInflateRaw();
  deflater.pipe(socket);
  socket.pipe(inflater);
  const stream = new Duplex({
    // The client's side ends when the server's deflate stream does.
    allowHalfOpen: false,
    read() {},
    write(chunk: Buffer, _encoding, done) {
      deflater.write(chunk);
      deflater.flush(zlibConstants.Z_SYNC_FLUSH, () => done());
    },
    destroy(error, done) {
      socket.destroy();
      done(error);
    },
  });
  inflater.on('data', (chunk: Buffer) => stream.push(chunk));
  inflater.on('end', () => stream.push(null));
  inflater.on('error', (error) => stream.destroy(error));
  socket.on('close', () => {
    if (!inflater.writableEnded) inflater.end();
  });
  return new RawImapClient(stream);
}

/** A message as transcript "C:" lines: the literal's bytes, then the CRLF that ends the command. */
export function literalLines(message: string): string {
  return [...message.replace(/\r\n$/, '').split('\r\n'), ''].map((line) => `C: ${line}`).join('\n');
}

/** A raw client already logged in as `address`. */
export async function loggedIn(port: number, address = 'alice@example.test'): Promise<RawImapClient> {
  const client = await connectRaw(port);
  const lines = await client.command(`L1 LOGIN ${address} "${TEST_PASSWORD}"`);
  assert.match(lines[lines.length - 1], /^L1 OK /);
  return client;
}

/** Delivers messages to a mailbox of the account (INBOX by default) as SMTP would; returns their UIDs. */
export async function deliverTo(server: ImapTestServer, account: AccountView, messages: Buffer[], options: { mailbox?: string; flags?: string[] } = {}): Promise<number[]> {
  const store = server.daemon.context.store;
  const mailbox = await findMailbox(store, account.id, options.mailbox ?? 'INBOX');
  if (!mailbox) throw new Error(`no mailbox ${options.mailbox}`);
  const uids: number[] = [];
  for (const raw of messages) {
    const [copy] = await deliverMessage(store, raw, [{ accountId: account.id, mailboxId: mailbox.id, flags: options.flags ?? [] }], {
      internalDate: new Date('2026-11-20T10:00:00Z'),
    });
    uids.push(copy.uid);
  }
  return uids;
}

/** A multipart/mixed message with a text part and a base64 attachment, CRLF line ends. */
export function multipartMessage(subject = 'Report'): Buffer {
  return Buffer.from(
    [
      'From: "Bob Example" <bob@example.test>',
      'To: alice@example.test, "Carol" <carol@example.test>',
      `Subject: ${subject}`,
      'Date: Fri, 20 Nov 2026 10:00:00 +0000',
      'Message-ID: <report-1@example.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      'preamble',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'See the attachment.',
      '--b1',
      'Content-Type: application/pdf; name="r.pdf"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="r.pdf"',
      '',
      'JVBERi0xLjQK',
      '--b1--',
      '',
    ].join('\r\n'),
  );
}

/** Sends SELECT or EXAMINE and checks the EXISTS count and the READ-WRITE/READ-ONLY code of the reply. */
export async function expectSelected(client: RawImapClient, command: string, exists: number): Promise<string[]> {
  const lines = await client.command(command);
  const [tag, verb] = command.split(' ');
  assert.ok(lines.includes(`* ${exists} EXISTS`), `${exists} EXISTS in ${JSON.stringify(lines)}`);
  assert.equal(lines[lines.length - 1], `${tag} OK [${verb.toUpperCase() === 'EXAMINE' ? 'READ-ONLY' : 'READ-WRITE'}] ${verb.toUpperCase()} completed`);
  return lines;
}
