// From SMTP to IMAP, as a user sees it: a session in IDLE hears of a message
// after its SMTP 250 (how soon is the bench's business), also when the delivering daemon is another
// process on the same PostgreSQL; BODY[] is exactly the stored bytes (the
// accepted message behind the trace fields); BODYSTRUCTURE agrees with
// mailparser on multipart/alternative, multipart/mixed with attachments,
// nested message/rfc822 and non-ASCII headers; imapflow fetches the headers
// of 1,000 messages.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { ImapFlow, type MessageStructureObject } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import { ENGINES } from '../support/databases.ts';
import { buildMessage } from '../support/messages.ts';
import { sendWithNodemailer } from '../support/smtp-client.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { imapService } from '../../mail-daemon/imap/imap-service.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { getMessageContent, listMessages } from '../../mail-daemon/store/messages.ts';
import { findMailbox } from '../../mail-daemon/store/mailboxes.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';
import { loggedIn, type RawImapClient } from './imap-harness.ts';

const require = createRequire(import.meta.url);
// nodemailer ships no types: its composer builds the test messages as a real mailer would.
const MailComposer = require('nodemailer/lib/mail-composer') as new (mail: object) => { compile(): { build(callback: (err: Error | null, message: Buffer) => void): void } };

function compose(mail: object): Promise<Buffer> {
  return new Promise((resolve, reject) => new MailComposer(mail).compile().build((err, message) => (err ? reject(err) : resolve(message))));
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

async function testMessages(): Promise<Record<string, Buffer>> {
  const alternative = await compose({
    from: 'Sender <sender@remote.test>',
    to: 'alice@example.test',
    subject: 'Alternative',
    text: 'Plain version\nwith two lines\n',
    html: '<p>HTML <b>version</b></p>',
  });
  const mixed = await compose({
    from: 'Sender <sender@remote.test>',
    to: 'alice@example.test',
    subject: 'Mixed with attachments',
    text: 'See the attachments.',
    attachments: [
      { filename: 'report.pdf', content: Buffer.from('%PDF-1.4\n' + 'x'.repeat(3000)), contentType: 'application/pdf' },
      { filename: 'pixel.png', content: PNG, contentType: 'image/png', cid: 'pixel@remote.test' },
      { filename: 'notes.txt', content: 'Notes, quoted-printable: café\n', contentType: 'text/plain; charset=utf-8', contentTransferEncoding: 'quoted-printable' },
    ],
  });
  const nested = await compose({
    from: 'Forwarder <fwd@remote.test>',
    to: 'alice@example.test',
    subject: 'Fwd: Alternative',
    text: 'Forwarded below.',
    attachments: [{ filename: 'original.eml', content: alternative, contentType: 'message/rfc822' }],
  });
  const nonAscii = await compose({
    from: 'Jürgen Müller <juergen@remote.test>',
    to: 'Zoë <alice@example.test>',
    subject: 'Grüße aus Köln — 東京',
    text: 'Schöne Grüße\n',
  });
  return { alternative, mixed, nested, nonAscii };
}

function leaves(node: MessageStructureObject): MessageStructureObject[] {
  if (node.childNodes && !node.type.startsWith('message/')) return node.childNodes.flatMap(leaves);
  return [node];
}

function imapClient(port: number): ImapFlow {
  return new ImapFlow({ host: '127.0.0.1', port, secure: true, tls: { rejectUnauthorized: false }, auth: { user: 'alice@example.test', pass: TEST_PASSWORD }, logger: false });
}

async function download(imap: ImapFlow, uid: number, part: string): Promise<Buffer> {
  const { content } = await imap.download(String(uid), part, { uid: true });
  const chunks: Buffer[] = [];
  for await (const chunk of content!) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every part mailparser finds is a part of the IMAP structure with the same type, name and decoded bytes. */
async function assertStructureAgrees(imap: ImapFlow, uid: number, structure: MessageStructureObject, parsed: ParsedMail, label: string): Promise<void> {
  const parts = leaves(structure);
  for (const attachment of parsed.attachments) {
    const candidates = parts.filter((p) => p.type === attachment.contentType && (attachment.filename ? (p.dispositionParameters?.filename ?? p.parameters?.name) === attachment.filename : true));
    assert.ok(candidates.length > 0, `${label}: a ${attachment.contentType} part named ${attachment.filename} in ${JSON.stringify(parts.map((p) => [p.part, p.type]))}`);
    const bytes = await Promise.all(candidates.map((p) => download(imap, uid, p.part ?? '1')));
    assert.ok(bytes.some((b) => b.equals(attachment.content)), `${label}: ${attachment.filename} has the bytes mailparser decoded`);
    if (attachment.contentType === 'message/rfc822') {
      // The encapsulated message: its own structure against mailparser's reading of it.
      const inner = candidates[0];
      assert.ok(inner.childNodes?.length, `${label}: message/rfc822 has its structure`);
      assert.equal(inner.envelope?.subject, (await simpleParser(attachment.content)).subject);
    }
  }
  // mailparser reads an inline message/rfc822 into its text and html: every inline text part, nested ones too, is in them.
  const deep = allLeaves(structure);
  const inline = (type: string) => deep.filter((p) => p.type === type && p.disposition !== 'attachment');
  const normalized = async (part: MessageStructureObject) => (await download(imap, uid, part.part ?? '1')).toString('utf8').replace(/\r\n/g, '\n').trim();
  for (const part of inline('text/plain')) assert.ok(parsed.text?.includes(await normalized(part)), `${label}: text/plain ${part.part} is in mailparser's text`);
  assert.equal(inline('text/html').length > 0, typeof parsed.html === 'string', `${label}: an HTML part when mailparser finds one`);
  for (const part of inline('text/html')) assert.ok((parsed.html || '').includes(await normalized(part)), `${label}: text/html ${part.part} is mailparser's html`);
}

/** Leaves of the whole tree, inside encapsulated messages too. */
function allLeaves(node: MessageStructureObject): MessageStructureObject[] {
  return node.childNodes ? node.childNodes.flatMap(allLeaves) : [node];
}

for (const engine of ENGINES) {
  describe(`SMTP to IMAP on ${engine}`, () => {
    let daemon: TestDaemon;
    let dns: TestDnsServer;
    let alice: AccountView;
    let smtpPort: number;
    let idler: RawImapClient;
    let exists = 0;

    before(async () => {
      dns = await startTestDnsServer({});
      daemon = await startTestDaemon(engine, [smtpService, imapService], { DNS_SERVERS: dns.address });
      smtpPort = daemon.port('smtp');
      [alice] = await addTestAccounts(daemon.context.store, 'example.test', ['alice']);
      idler = await loggedIn(daemon.port('imap'));
      await idler.command('s1 SELECT INBOX');
    });
    after(async () => {
      idler.close();
      await daemon.dispose();
      await dns.close();
    });

    async function sendAndWaitForExists(port: number, message: Buffer): Promise<void> {
      idler.send('i1 IDLE\r\n');
      assert.equal(await idler.readLine(), '+ idling');
      const result = await sendWithNodemailer({ port }, { from: 'sender@remote.test', to: ['alice@example.test'] }, message);
      assert.match(result.response, /^250 /);
      const line = await idler.readLine();
      exists += 1;
      assert.equal(line, `* ${exists} EXISTS`);
      // RFC 3501 2.3.2: the session that hears of it first, this one, has it as \\Recent.
      assert.equal(await idler.readLine(), `* ${exists} RECENT`);
      idler.send('DONE\r\n');
      assert.equal(await idler.readLine(), 'i1 OK IDLE terminated');
    }

    it('a session in IDLE sees a message after its SMTP 250', async () => {
      await sendAndWaitForExists(smtpPort, buildMessage({ subject: 'idle one' }));
    });

    if (engine === 'postgres') {
      it('also when the delivering daemon is another process sharing PostgreSQL', async () => {
        const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'tests/support/daemon-child.ts', daemon.database.url, 'smtp', dns.address], { stdio: ['pipe', 'pipe', 'inherit'] });
        try {
          const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
          const ready = (await lines.next()).value as string;
          const port = Number(/\bsmtp=(\d+)/.exec(ready)?.[1]);
          assert.ok(port > 0, ready);
          await sendAndWaitForExists(port, buildMessage({ subject: 'from the other daemon' }));
        } finally {
          child.stdin!.end();
          await new Promise((resolve) => child.once('exit', resolve));
        }
      });
    }

    it('BODY[] is the stored message, the accepted bytes after the trace fields; BODYSTRUCTURE agrees with mailparser', async () => {
      const messages = await testMessages();
      const sent: { label: string; original: Buffer }[] = [];
      for (const [label, original] of Object.entries(messages)) {
        await sendWithNodemailer({ port: smtpPort }, { from: 'sender@remote.test', to: ['alice@example.test'] }, original);
        sent.push({ label, original });
      }
      const store = daemon.context.store;
      const inbox = (await findMailbox(store, alice.id, 'INBOX'))!;
      const stored = (await listMessages(store, alice.id, inbox.id)).slice(-sent.length);
      const imap = imapClient(daemon.port('imaps'));
      await imap.connect();
      try {
        await imap.mailboxOpen('INBOX');
        for (const [i, { label, original }] of sent.entries()) {
          const { uid } = stored[i];
          const { raw } = await getMessageContent(store, alice.id, stored[i].id);
          const fetched = await imap.fetchOne(String(uid), { source: true, bodyStructure: true, envelope: true, size: true }, { uid: true });
          assert.ok(fetched);
          assert.ok(fetched.source!.equals(raw), `${label}: BODY[] is the stored bytes`);
          assert.equal(fetched.size, raw.length);
          // The accepted message, unchanged, after the fields the server prepends.
          const crlf = Buffer.from(original.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
          assert.ok(raw.subarray(raw.length - crlf.length).equals(crlf), `${label}: the accepted bytes end BODY[]`);
          assert.match(raw.subarray(0, raw.length - crlf.length).toString('latin1'), /^(Return-Path|Received|Authentication-Results|Delivered-To|X-[\w-]+):/);
          const parsed = await simpleParser(fetched.source!);
          assert.equal(fetched.envelope!.subject, parsed.subject, `${label}: subject`);
          assert.equal(fetched.envelope!.from![0].name, parsed.from!.value[0].name, `${label}: from name`);
          await assertStructureAgrees(imap, uid, fetched.bodyStructure!, parsed, label);
          if (label === 'nested') {
            const inner = fetched.bodyStructure!.childNodes!.find((p) => p.type === 'message/rfc822');
            assert.equal(inner?.envelope?.subject, 'Alternative');
            assert.deepEqual(allLeaves(inner!).map((p) => [p.part, p.type]), [['2.1', 'text/plain'], ['2.2', 'text/html']]);
          }
        }
        assert.equal(stored.find((m, i) => sent[i].label === 'nonAscii')!.subject, 'Grüße aus Köln — 東京');
      } finally {
        await imap.logout().catch(() => undefined);
      }
    });

    it('imapflow fetches the headers of 1,000 messages', async () => {
      const store = daemon.context.store;
      const archive = (await findMailbox(store, alice.id, 'Archive'))!;
      for (let i = 0; i < 1000; i += 50) {
        await Promise.all(
          Array.from({ length: 50 }, (_, j) =>
            deliverMessage(store, buildMessage({ subject: `bulk ${i + j}`, headers: { 'X-Number': String(i + j) } }), [{ accountId: alice.id, mailboxId: archive.id }]),
          ),
        );
      }
      const imap = imapClient(daemon.port('imaps'));
      await imap.connect();
      try {
        const mailbox = await imap.mailboxOpen('Archive');
        assert.equal(mailbox.exists, 1000);
        const numbers = new Set<string>();
        for await (const message of imap.fetch('1:*', { uid: true, flags: true, envelope: true, headers: ['subject', 'x-number'] })) {
          const headers = message.headers!.toString();
          const number = /X-Number: (\d+)/i.exec(headers)![1];
          assert.equal(message.envelope!.subject, `bulk ${number}`);
          numbers.add(number);
        }
        assert.equal(numbers.size, 1000);
      } finally {
        await imap.logout().catch(() => undefined);
      }
    });
  });
}
