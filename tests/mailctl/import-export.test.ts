// mailctl import and export against mail programs nobody here wrote: a real
// Dovecot on loopback filled through its own IMAP APPEND (flags, keywords,
// internal dates, a special-use Sent and Trash under other names, a folder
// hierarchy with a non-ASCII name) is the source: over IMAP (import --imap),
// as the Maildir and the mbox files Dovecot itself wrote, and as the Maildir
// mbsync made of it. What our IMAP server then shows (imapflow) must be what
// Dovecot showed: folders, every message's bytes, flags and internal date.
// The export goes back into a Dovecot, which must show the same again.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { ENGINES } from '../support/databases.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { startDovecot, DOVECOT_PASSWORD, DOVECOT_UID, DOVECOT_USER, type RunningDovecot } from '../support/dovecot.ts';
import { imapService } from '../../mail-daemon/imap/imap-service.ts';

const mailctlPath = new URL('../../mail-daemon/mailctl/main.ts', import.meta.url).pathname;
const HAVE_DOVECOT = existsSync('/usr/sbin/dovecot') && existsSync('/usr/lib/dovecot/imap');
const HAVE_MBSYNC = spawnSync('mbsync', ['--version']).status === 0;
const SKIP_DOVECOT = HAVE_DOVECOT ? false : 'Dovecot is not installed (apt-get install dovecot-imapd)';

// A Dovecot namespace like most servers': "/" between levels, special-use
// folders under the names Apple Mail gives them.
const NAMESPACE = `namespace inbox {
  inbox = yes
  separator = /
  mailbox "Sent Messages" {
    special_use = \\Sent
  }
  mailbox "Deleted Messages" {
    special_use = \\Trash
  }
  mailbox Drafts {
    special_use = \\Drafts
  }
}
`;

interface Seed {
  folder: string;
  raw: Buffer;
  flags: string[];
  date: Date;
}

function message(subject: string, body: string, extra = ''): Buffer {
  const id = subject === 'no message id' ? '' : `Message-ID: <${createHash('sha1').update(subject).digest('hex')}@example.org>\r\n`;
  return Buffer.from(`From: Old Host <someone@example.org>\r\nTo: alice@example.test\r\nSubject: ${subject}\r\n${id}Date: Mon, 2 Jan 2023 10:00:00 +0000\r\n${extra}\r\n${body}`);
}

const attachment = Buffer.alloc(150_000, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
const SEEDS: Seed[] = [
  { folder: 'INBOX', raw: message('plain', 'Hello.\r\nFrom the start of a line.\r\n\r\nFrom the start, after an empty line.\r\n>From quoted already.\r\n'), flags: ['\\Seen'], date: new Date('2023-01-02T10:00:05Z') },
  { folder: 'INBOX', raw: message('flags and keywords', 'Grüße, 8-bit text.\r\n', 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n'), flags: ['\\Answered', '\\Flagged', '$Label1', 'work'], date: new Date('2022-06-30T23:59:59Z') },
  { folder: 'INBOX', raw: message('deleted, not expunged', 'gone soon\r\n'), flags: ['\\Deleted', '\\Seen'], date: new Date('2021-03-04T05:06:07Z') },
  {
    folder: 'INBOX',
    raw: message('attachment', `--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--b--\r\n`, 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n'),
    flags: [],
    date: new Date('2020-02-29T12:00:00Z'),
  },
  { folder: 'INBOX', raw: message('no message id', 'anonymous\r\n'), flags: ['\\Seen'], date: new Date('2019-12-31T23:00:00Z') },
  { folder: 'Sent Messages', raw: message('sent', 'I wrote this.\r\n'), flags: ['\\Seen', '$Forwarded'], date: new Date('2023-01-03T08:00:00Z') },
  { folder: 'Drafts', raw: message('draft', 'not finished\r\n'), flags: ['\\Draft', '\\Seen'], date: new Date('2023-01-04T08:00:00Z') },
  { folder: 'Deleted Messages', raw: message('in the bin', 'old\r\n'), flags: ['\\Seen'], date: new Date('2018-01-01T00:00:00Z') },
  { folder: 'Projects', raw: message('project', 'plan\r\n'), flags: ['\\Seen', '\\Flagged'], date: new Date('2023-01-05T08:00:00Z') },
  { folder: 'Projects/2026', raw: message('next year', 'later\r\n'), flags: ['urgent'], date: new Date('2023-01-06T08:00:00Z') },
  { folder: 'Projects/2026', raw: message('next year too', 'later still\r\n'), flags: ['\\Seen', 'urgent', '$Label1'], date: new Date('2023-01-07T08:00:00Z') },
  { folder: 'Privat/Ärger', raw: message('umlaut folder', 'ärgerlich\r\n'), flags: ['\\Seen'], date: new Date('2023-01-08T08:00:00Z') },
];

/** Where Dovecot's folders land in our account: special-use ones in ours. */
const OURS: Record<string, string> = { 'Sent Messages': 'Sent', 'Deleted Messages': 'Trash' };

interface Seen {
  sha256: string;
  flags: string[];
  /** INTERNALDATE, whole seconds. */
  date: string;
}

type Snapshot = Record<string, Seen[]>;

/** Every message of every folder as an IMAP client sees it, folders with no message left out. */
async function snapshot(client: ImapFlow, rename: (name: string) => string = (n) => n, bytes: (source: Buffer) => Buffer = (b) => b): Promise<Snapshot> {
  const out: Snapshot = {};
  for (const folder of await client.list()) {
    if (folder.flags.has('\\Noselect')) continue;
    const lock = await client.getMailboxLock(folder.path, { readOnly: true });
    try {
      if (!client.mailbox || client.mailbox.exists === 0) continue;
      const seen: Seen[] = [];
      for await (const m of client.fetch('1:*', { source: true, flags: true, internalDate: true })) {
        seen.push({
          sha256: createHash('sha256').update(bytes(m.source!)).digest('hex'),
          flags: [...m.flags!].filter((f) => f !== '\\Recent').sort(),
          date: new Date(m.internalDate!).toISOString(),
        });
      }
      out[rename(folder.path)] = seen.sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1));
    } finally {
      lock.release();
    }
  }
  return out;
}

function imapClient(port: number, user: string, pass: string): ImapFlow {
  return new ImapFlow({ host: '127.0.0.1', port, secure: false, tls: { rejectUnauthorized: false }, auth: { user, pass }, logger: false });
}

async function withClient<T>(client: ImapFlow, work: (client: ImapFlow) => Promise<T>): Promise<T> {
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** A directory the Dovecot user may write in. */
function dovecotDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  spawnSync('chown', ['-R', `${DOVECOT_UID}:${DOVECOT_UID}`, dir]);
  return dir;
}

async function seedDovecot(dovecot: RunningDovecot, seeds: Seed[]): Promise<void> {
  await withClient(imapClient(dovecot.port, DOVECOT_USER, DOVECOT_PASSWORD), async (client) => {
    for (const folder of new Set(seeds.map((s) => s.folder))) if (folder !== 'INBOX') await client.mailboxCreate(folder).catch(() => undefined);
    for (const seed of seeds) await client.append(seed.folder, seed.raw, seed.flags, seed.date);
  });
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

for (const engine of ENGINES) {
  describe(`mailctl import and export on ${engine}`, { skip: SKIP_DOVECOT }, () => {
    let daemon: TestDaemon;
    let source: RunningDovecot;
    let sourceMaildir: string;
    let expected: Snapshot;
    const cleanup: (() => void | Promise<void>)[] = [];

    function run(argv: string[], input = '', env: Record<string, string> = {}): Promise<Run> {
      return new Promise((resolve) => {
        const child = spawn(argv[0], argv.slice(1), {
          env: { ...process.env, DATA_DIR: daemon.dataDir, DATABASE_URL: daemon.database.url, MAIL_HOSTNAME: 'mail.example.test', ...env },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.stdin.end(input);
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    }

    function mailctl(args: string[], input = '', env: Record<string, string> = {}): Promise<Run> {
      return run([process.execPath, '--import', 'tsx', mailctlPath, ...args], input, env);
    }

    function ours(address: string, bytes?: (source: Buffer) => Buffer): Promise<Snapshot> {
      return withClient(imapClient(daemon.port('imap'), address, TEST_PASSWORD), (client) => snapshot(client, undefined, bytes));
    }

    function succeeded(run: Run): void {
      assert.equal(run.status, 0, `mailctl failed:\n${run.stderr}`);
    }

    before(async () => {
      daemon = await startTestDaemon(engine, [imapService]);
      await addTestAccounts(daemon.context.store, 'example.test', ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina']);
      sourceMaildir = dovecotDir('import-source-');
      cleanup.push(() => rmSync(sourceMaildir, { recursive: true, force: true }));
      source = (await startDovecot('imap', [], NAMESPACE, { mailLocation: `maildir:${sourceMaildir}` }))!;
      cleanup.push(() => source.stop());
      await seedDovecot(source, SEEDS);
      expected = await withClient(imapClient(source.port, DOVECOT_USER, DOVECOT_PASSWORD), (client) => snapshot(client, (n) => OURS[n] ?? n));
    });
    after(async () => {
      for (const step of cleanup.reverse()) await step();
      await daemon.dispose();
    });

    it('Dovecot shows what was appended (the fixture is right)', () => {
      assert.deepEqual(Object.keys(expected).sort(), ['Drafts', 'INBOX', 'Privat/Ärger', 'Projects', 'Projects/2026', 'Sent', 'Trash']);
      const all = Object.values(expected).flat();
      assert.equal(all.length, SEEDS.length);
      for (const seed of SEEDS) {
        const found = all.find((s) => s.sha256 === createHash('sha256').update(seed.raw).digest('hex'));
        assert.ok(found, `seed ${seed.raw.toString().slice(0, 80)}`);
        assert.equal(found.date, seed.date.toISOString());
      }
    });

    it('imports a whole account from Dovecot over IMAP, and a second run adds nothing', async () => {
      const first = await mailctl(['import', 'alice@example.test', '--imap', '127.0.0.1', '--port', String(source.port), '--user', DOVECOT_USER, '--password-stdin'], `${DOVECOT_PASSWORD}\n`);
      succeeded(first);
      assert.match(first.stdout, new RegExp(`imported ${SEEDS.length} messages into 7 folders of alice@example\\.test`));
      assert.deepEqual(await ours('alice@example.test'), expected);

      const again = await mailctl(['import', 'alice@example.test', '--imap', '127.0.0.1', '--port', String(source.port), '--user', DOVECOT_USER, '--password-stdin'], `${DOVECOT_PASSWORD}\n`);
      succeeded(again);
      assert.match(again.stdout, new RegExp(`imported 0 messages into 0 folders of alice@example\\.test; ${SEEDS.length} already there`));
      assert.deepEqual(await ours('alice@example.test'), expected);
    });

    it('says so when the other server refuses the password', async () => {
      const refused = await mailctl(['import', 'alice@example.test', '--imap', '127.0.0.1', '--port', String(source.port), '--user', DOVECOT_USER, '--password-stdin'], 'wrong\n');
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /could not log in to 127\.0\.0\.1:\d+ as bench: the server refused the user name or password/);
    });

    it('imports the Maildir Dovecot wrote (Maildir++ folders, flags in the file names, keywords, mtimes)', async () => {
      assert.ok(existsSync(join(sourceMaildir, '.Projects.2026', 'cur')), 'Dovecot wrote Maildir++');
      assert.ok(existsSync(join(sourceMaildir, '.Privat.&AMQ-rger')), 'in modified UTF-7');
      const run = await mailctl(['import', 'bob@example.test', sourceMaildir]);
      succeeded(run);
      assert.match(run.stdout, new RegExp(`imported ${SEEDS.length} messages into 7 folders of bob@example\\.test`));
      assert.deepEqual(await ours('bob@example.test'), expected);
      const again = await mailctl(['import', 'bob@example.test', sourceMaildir]);
      assert.match(again.stdout, new RegExp(`imported 0 messages into 0 folders of bob@example\\.test; ${SEEDS.length} already there`));
    });

    it('imports the Maildir mbsync made of it (SubFolders Verbatim: Folder/Sub)', { skip: HAVE_MBSYNC ? false : 'mbsync is not installed (apt-get install isync)' }, async () => {
      const local = mkdtempSync(join(tmpdir(), 'mbsync-'));
      cleanup.push(() => rmSync(local, { recursive: true, force: true }));
      mkdirSync(join(local, 'mail'));
      const config = join(local, 'mbsyncrc');
      writeFileSync(
        config,
        `IMAPStore far
Host 127.0.0.1
Port ${source.port}
User ${DOVECOT_USER}
Pass ${DOVECOT_PASSWORD}
SSLType None

MaildirStore near
Path ${local}/mail/
Inbox ${local}/mail/INBOX
SubFolders Verbatim

Channel all
Far :far:
Near :near:
Patterns *
Create Near
Sync Pull
SyncState *
CopyArrivalDate yes
`,
      );
      const sync = spawnSync('mbsync', ['-c', config, '-a'], { encoding: 'utf8' });
      assert.equal(sync.status, 0, sync.stderr);
      assert.ok(existsSync(join(local, 'mail', 'Projects', '2026', 'cur')), 'mbsync wrote Folder/Sub');
      const run = await mailctl(['import', 'carol@example.test', join(local, 'mail')]);
      succeeded(run);
      // mbsync keeps no keywords in a Maildir but $Forwarded (as P), and adds
      // its X-TUID header to each file (imported as it is); everything else
      // is as on the server.
      const withoutKeywords = Object.fromEntries(
        Object.entries(expected).map(([folder, messages]) => [folder, messages.map((m) => ({ ...m, flags: m.flags.filter((f) => f.startsWith('\\') || f === '$Forwarded') }))]),
      );
      const imported = await ours('carol@example.test', (source) => {
        const text = source.toString('latin1');
        assert.match(text, /^X-TUID: \S+\r\n/m);
        return Buffer.from(text.replace(/^X-TUID: \S+\r\n/m, ''), 'latin1');
      });
      assert.deepEqual(imported, withoutKeywords);
    });

    it('imports the mbox files Dovecot wrote (From_ dates, Status/X-Status/X-Keywords, >From quoting)', async () => {
      const mboxDir = dovecotDir('mbox-');
      cleanup.push(() => rmSync(mboxDir, { recursive: true, force: true }));
      const mboxSeeds = SEEDS.filter((s) => s.folder === 'INBOX' || s.folder === 'Projects');
      const mbox = (await startDovecot('imap', [], NAMESPACE, { mailLocation: `mbox:${mboxDir}:INBOX=${mboxDir}/inbox` }))!;
      let shown: Snapshot;
      try {
        await seedDovecot(mbox, mboxSeeds);
        shown = await withClient(imapClient(mbox.port, DOVECOT_USER, DOVECOT_PASSWORD), (client) => snapshot(client));
      } finally {
        await mbox.stop();
      }
      assert.equal(shown.INBOX.length, 5);
      succeeded(await mailctl(['import', 'dave@example.test', join(mboxDir, 'inbox')], '', { TZ: 'UTC' }));
      succeeded(await mailctl(['import', 'dave@example.test', join(mboxDir, 'Projects'), '--folder', 'Projects'], '', { TZ: 'UTC' }));
      assert.deepEqual(await ours('dave@example.test'), shown);
    });

    it('exports a Maildir that Dovecot reads back with the same folders, bytes, flags and dates', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'export-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      const target = join(dir, 'alice');
      const run = await mailctl(['export', 'alice@example.test', target]);
      succeeded(run);
      assert.match(run.stdout, new RegExp(`exported ${SEEDS.length} messages of alice@example\\.test in 10 folders to `));
      assert.ok(existsSync(join(target, '.Privat.&AMQ-rger', 'cur')));
      const again = await mailctl(['export', 'alice@example.test', target]);
      assert.match(again.stdout, new RegExp(`exported 0 messages of alice@example\\.test in 10 folders to .* \\(${SEEDS.length} were there already\\)`));
      assert.equal(readdirSync(join(target, 'cur')).length, expected.INBOX.length, 'a second run writes no copies');
      const file = readdirSync(join(target, '.Projects.2026', 'cur'))[0];
      assert.equal(statSync(join(target, '.Projects.2026', 'cur', file)).mtime.getFullYear(), 2023);

      chmodSync(dir, 0o755);
      spawnSync('chown', ['-R', `${DOVECOT_UID}:${DOVECOT_UID}`, target]);
      const reader = (await startDovecot('imap', [], NAMESPACE, { mailLocation: `maildir:${target}` }))!;
      try {
        const read = await withClient(imapClient(reader.port, DOVECOT_USER, DOVECOT_PASSWORD), (client) => snapshot(client));
        assert.deepEqual(read, await ours('alice@example.test'));
        assert.deepEqual(read, expected);
      } finally {
        await reader.stop();
      }
    });

    it('imports from an IMAP server over TLS or STARTTLS, refusing a certificate that does not verify unless --insecure', async () => {
      const args = ['import', 'frank@example.test', '--imap', '127.0.0.1', '--user', 'alice@example.test', '--password-stdin'];
      const unverified = await mailctl([...args, '--tls', '--port', String(daemon.port('imaps'))], `${TEST_PASSWORD}\n`);
      assert.equal(unverified.status, 1);
      assert.match(unverified.stderr, /could not log in to 127\.0\.0\.1:\d+ as alice@example\.test: .*self-signed certificate/);
      const required = await mailctl([...args, '--starttls', '--port', String(source.port)], `${DOVECOT_PASSWORD}\n`);
      assert.equal(required.status, 1, 'Dovecot here offers no STARTTLS: --starttls does not log in without it');
      assert.doesNotMatch(required.stdout, /imported/);
      succeeded(await mailctl([...args, '--starttls', '--insecure', '--port', String(daemon.port('imap'))], `${TEST_PASSWORD}\n`));
      assert.deepEqual(await ours('frank@example.test'), await ours('alice@example.test'));
    });

    it('imports mbox files in the exact form mutt and Thunderbird write them', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mua-mbox-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      // mutt 2.2 (copy-message to an mbox): Status/X-Status, a Content-Length that counts the body, no quoting.
      writeFileSync(
        join(dir, 'mutt'),
        'From a@example.org Mon Nov 30 15:53:56 2026\nFrom: a@example.org\nSubject: one\nMessage-ID: <1@example.org>\nStatus: RO\nX-Status: AF\nContent-Length: 34\n\nHello\nFrom the start\n>From quoted\n\n' +
          'From a@example.org Mon Nov 30 15:53:57 2026\nFrom: a@example.org\nSubject: two\nStatus: O\nContent-Length: 2\n\nx\n\n',
      );
      // Thunderbird: "From - date", X-Mozilla-Status/-Keys, "From " quoted in the body, no Content-Length.
      writeFileSync(
        join(dir, 'Thunderbird'),
        'From - Mon Jan 02 10:00:05 2023\nX-Mozilla-Status: 0005\nX-Mozilla-Status2: 00000000\nX-Mozilla-Keys: $label1                                                                          \nFrom: b@example.org\nSubject: tb\n\nBody\n>From quoted by Thunderbird\n\n',
      );
      succeeded(await mailctl(['import', 'gina@example.test', join(dir, 'mutt')], '', { TZ: 'UTC' }));
      succeeded(await mailctl(['import', 'gina@example.test', join(dir, 'Thunderbird'), '--folder', 'Local/Thunderbird'], '', { TZ: 'UTC' }));
      const seen = (raw: string, flags: string[], date: string): Seen => ({ sha256: createHash('sha256').update(raw).digest('hex'), flags: flags.sort(), date });
      const want: Snapshot = {
        INBOX: [
          seen('From: a@example.org\r\nSubject: one\r\nMessage-ID: <1@example.org>\r\n\r\nHello\r\nFrom the start\r\n>From quoted\r\n', ['\\Seen', '\\Answered', '\\Flagged'], '2026-11-30T15:53:56.000Z'),
          seen('From: a@example.org\r\nSubject: two\r\n\r\nx\r\n', [], '2026-11-30T15:53:57.000Z'),
        ].sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1)),
        'Local/Thunderbird': [seen('From: b@example.org\r\nSubject: tb\r\n\r\nBody\r\nFrom quoted by Thunderbird\r\n', ['\\Seen', '\\Flagged', '$label1'], '2023-01-02T10:00:05.000Z')],
      };
      assert.deepEqual(await ours('gina@example.test'), want);
    });

    it('skips a message over MAX_MESSAGE_SIZE (even one endless line) with a warning, and imports the rest', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hostile-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      const path = join(dir, 'mbox');
      const line = 'x'.repeat(3_000_000);
      writeFileSync(path, `From a Mon Jan  2 10:00:00 2023\nSubject: before\n\nok\n\nFrom b Mon Jan  2 10:00:01 2023\nSubject: huge\n\n${line}\n\nFrom c Mon Jan  2 10:00:02 2023\nSubject: after\n\nok\n`);
      const run = await mailctl(['import', 'erin@example.test', path], '', { MAX_MESSAGE_SIZE: '1000000' });
      succeeded(run);
      assert.match(run.stderr, /mailctl: skipped message 2 of .*mbox: 3000016 bytes is more than MAX_MESSAGE_SIZE \(1000000\)/);
      assert.match(run.stdout, /imported 2 messages into 1 folder of erin@example\.test; 1 too big, skipped/);
      assert.equal((await ours('erin@example.test')).INBOX.length, 2);
    });

    it('reads an mbox with a line far longer than MAX_MESSAGE_SIZE in bounded memory', { skip: engine !== ENGINES[0] ? 'the reader does not depend on the engine' : false }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'long-line-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      const path = join(dir, 'mbox');
      const lineMb = 400;
      const out = createWriteStream(path);
      out.write('From a Mon Jan  2 10:00:00 2023\nSubject: endless\n\n');
      const megabyte = Buffer.alloc(1024 * 1024, 'z');
      for (let i = 0; i < lineMb; i++) if (!out.write(megabyte)) await once(out, 'drain');
      out.end('\n\nFrom b Mon Jan  2 10:00:01 2023\nSubject: after it\n\nok\n');
      await once(out, 'finish');
      // The peak resident size of mailctl, as the kernel counted it (Python's getrusage of its child).
      const measured = await run(
        ['python3', '-c', 'import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)', process.execPath, '--import', 'tsx', mailctlPath, 'import', 'gina@example.test', path, '--folder', 'Long'],
        '',
        { MAX_MESSAGE_SIZE: '1000000' },
      );
      assert.equal(measured.status, 0, measured.stderr);
      assert.match(measured.stderr, /skipped message 1 of .*: 4194\d{5} bytes is more than MAX_MESSAGE_SIZE/);
      const peakMb = Number(measured.stdout.trim().split('\n').pop()) / 1024;
      assert.ok(peakMb < lineMb, `peak ${peakMb.toFixed(0)} MB for a ${lineMb} MB line`);
      assert.equal((await ours('gina@example.test')).Long.length, 1);
    });

    it('stops with a clear message when the account is full, keeps what it imported, and goes on after more room', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'quota-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      for (const part of ['cur', 'new', 'tmp']) mkdirSync(join(dir, part));
      for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'cur', `${1_600_000_000 + i}.M${i}.host:2,S`), message(`big ${i}`, `${'y'.repeat(299_000)}\r\n`));
      succeeded(await mailctl(['user', 'add', 'full@example.test', '--quota', '1M', '--password-stdin'], `${TEST_PASSWORD}\n`));
      const run = await mailctl(['import', 'full@example.test', dir]);
      assert.equal(run.status, 1);
      assert.match(run.stderr, /mailctl: full@example\.test is full \(its quota is reached\): stopped before .*1600000003\.M3\.host:2,S\. The 3 messages imported so far stay; raise the quota \(`mailctl user quota full@example\.test SIZE`\) or make room, then run the same import again/);
      assert.equal((await ours('full@example.test')).INBOX.length, 3);

      // More room, as the message says: the same command goes on where it stopped.
      succeeded(await mailctl(['user', 'quota', 'full@example.test', '10M']));
      const resumed = await mailctl(['import', 'full@example.test', dir]);
      succeeded(resumed);
      assert.match(resumed.stdout, /imported 2 messages into 1 folder of full@example\.test; 3 already there/);
      assert.equal((await ours('full@example.test')).INBOX.length, 5);
    });

    it('refuses an address that is not ours, a path that is neither mbox nor Maildir, and says how it went', async () => {
      const notOurs = await mailctl(['import', 'someone@elsewhere.test', sourceMaildir]);
      assert.equal(notOurs.status, 1);
      assert.match(notOurs.stderr, /^mailctl: There is no account someone@elsewhere\.test\.$/m);
      const dir = mkdtempSync(join(tmpdir(), 'not-mail-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      writeFileSync(join(dir, 'notes.txt'), 'Subject: not an mbox\n\n');
      const text = await mailctl(['import', 'erin@example.test', join(dir, 'notes.txt')]);
      assert.equal(text.status, 1);
      assert.match(text.stderr, /notes\.txt is not an mbox file: it does not start with a "From " line/);
      const empty = await mailctl(['import', 'erin@example.test', dir]);
      assert.equal(empty.status, 1);
      assert.match(empty.stderr, /is neither an mbox file nor a Maildir/);
    });

    it('shows progress on stderr: count of total, rate and time left', async () => {
      const run = await mailctl(['import', 'erin@example.test', sourceMaildir]);
      succeeded(run);
      const lines = run.stderr.trim().split('\n');
      assert.match(lines[0], new RegExp(`^import: 1/${SEEDS.length} messages \\(8%\\), [\\d.]+ messages/s, [\\d.]+ MB/s, \\d+[smh][\\d]*s? left$`));
      assert.match(lines[lines.length - 1], new RegExp(`^import: ${SEEDS.length}/${SEEDS.length} messages \\(100%\\), [\\d.]+ messages/s, [\\d.]+ MB/s$`));
      assert.ok(lines.length >= 10, 'a line at every tenth of the way');
    });

    it('rewrites one progress line in place in a terminal', { skip: spawnSync('script', ['--version']).status === 0 ? false : 'script (util-linux) is not installed' }, async () => {
      // script(1) runs mailctl in a pseudo-terminal and copies what it wrote there.
      const command = [process.execPath, '--import', 'tsx', mailctlPath, 'import', 'frank@example.test', sourceMaildir].join(' ');
      const terminal = await run(['script', '-qec', command, '/dev/null']);
      assert.equal(terminal.status, 0, terminal.stdout);
      assert.match(terminal.stdout, new RegExp(`\\rimport: ${SEEDS.length}/${SEEDS.length} messages \\(100%\\), [\\d.]+ messages/s, [\\d.]+ MB/s\\x1b\\[K\\r?\\n`));
      assert.doesNotMatch(terminal.stdout, /import: 1\/\d+ messages[^\r]*\n/, 'no line of its own for each step');
    });
  });
}
