// SORT and THREAD from clients nobody here wrote: imapflow (its exec() and
// response parser, with criteria from its own search compiler), Python's
// imaplib (IMAP4.sort and IMAP4.thread), and mutt with sort=threads, all over TLS.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { buildMessage } from '../../support/messages.ts';
import { LUNCH_THREADS } from './sort-corpus.ts';
import { deliverTo, loggedIn, startImapServer, TEST_PASSWORD, type ImapTestServer } from '../imap-harness.ts';

const run = promisify(execFile);
const script = new URL('./imaplib-sort.py', import.meta.url).pathname;
const muttDriver = new URL('./mutt-threads.py', import.meta.url).pathname;
// .ci/run installs mutt, so CI never skips that test; a developer without it is told how to get it.
const hasMutt = spawnSync('mutt', ['-v']).status === 0;

describe('SORT and THREAD with imapflow, imaplib and mutt', () => {
  let server: ImapTestServer;
  before(async () => {
    server = await startImapServer('sqlite');
    const [first] = await deliverTo(server, server.alice, [buildMessage({ subject: 'expunged' })]);
    await deliverTo(server, server.alice, LUNCH_THREADS);
    const imap = new ImapFlow({ host: '127.0.0.1', port: server.tlsPort, secure: true, tls: { rejectUnauthorized: false }, auth: { user: 'alice@example.test', pass: TEST_PASSWORD }, logger: false });
    await imap.connect();
    await imap.mailboxOpen('INBOX');
    await imap.messageDelete(String(first), { uid: true });
    await imap.logout();
  });
  after(() => server.dispose());

  it('imapflow sees the capabilities, and reads SORT, ESORT and THREAD answers', async () => {
    const imap = new ImapFlow({ host: '127.0.0.1', port: server.tlsPort, secure: true, tls: { rejectUnauthorized: false }, auth: { user: 'alice@example.test', pass: TEST_PASSWORD }, logger: false });
    await imap.connect();
    try {
      for (const capability of ['SORT', 'SORT=DISPLAY', 'ESORT', 'THREAD=ORDEREDSUBJECT', 'THREAD=REFERENCES']) assert.ok(imap.capabilities.has(capability), capability);
      await imap.mailboxOpen('INBOX');
      const { searchCompiler } = await import('imapflow/lib/search-compiler.js');
      // imapflow has no sort() of its own; exec() is how it sends a command it does not know, and its parser reads the answer.
      const numbers = (attributes: { value: string }[]) => attributes.map((a) => Number(a.value));
      const exec = async (command: string, attributes: unknown[], untaggedName: string) => {
        const seen: unknown[][] = [];
        const response = await (imap as any).exec(command, attributes, { untagged: { [untaggedName]: async (untagged: { attributes: unknown[] }) => void seen.push(untagged.attributes) } });
        response.next();
        return seen;
      };
      const atom = (value: string) => ({ type: 'ATOM', value });
      const criteria = searchCompiler(imap, { seen: false, subject: 'lunch' });

      const [sorted] = await exec('SORT', [[atom('REVERSE'), atom('DATE')], atom('UTF-8'), ...criteria], 'SORT');
      assert.deepEqual(numbers(sorted as { value: string }[]), [6, 2, 3, 1]);

      const [esearch] = await exec('UID SORT', [atom('RETURN'), [atom('MIN'), atom('MAX'), atom('COUNT'), atom('ALL')], [atom('DATE')], atom('UTF-8'), atom('ALL')], 'ESEARCH');
      const values = (esearch as { value?: string }[]).slice(2).map((a) => a.value);
      assert.deepEqual(values, ['MIN', '5', 'MAX', '7', 'ALL', '5,2,4,3,6:7', 'COUNT', '6']);

      const [thread] = await exec('THREAD', [atom('REFERENCES'), atom('UTF-8'), atom('ALL')], 'THREAD');
      const shape = (value: unknown): unknown => (Array.isArray(value) ? value.map(shape) : Number((value as { value: string }).value));
      assert.deepEqual(shape(thread), [[[4], [5]], [1, [3], [2], [6]]]);
    } finally {
      await imap.logout();
    }
  });

  it('imaplib sorts and threads, and gets an error for an unknown key', async () => {
    const { stdout } = await run('python3', [script, String(server.tlsPort), 'alice@example.test', TEST_PASSWORD]);
    const out = JSON.parse(stdout);
    for (const capability of ['SORT', 'SORT=DISPLAY', 'ESORT', 'THREAD=ORDEREDSUBJECT', 'THREAD=REFERENCES']) assert.ok(out.capabilities.includes(capability), capability);
    assert.equal(out.sort_date, '6 5 2 3 1 4');
    assert.equal(out.sort_subject, '1 2 3 6 4');
    assert.equal(out.uid_sort, '5 2 4 3 6 7');
    assert.equal(out.thread_references, '((4)(5))(1 (3)(2)(6))');
    assert.equal(out.thread_orderedsubject, '(4)(1 (3)(2)(6))(5)');
    assert.equal(out.uid_thread, '((5)(6))(2 (4)(3)(7))');
    assert.match(out.bad_sort, /unknown sort key NONSENSE/);
  });

  it('mutt shows the mailbox sorted by thread over IMAPS in the order of the THREAD answer', { skip: hasMutt ? false : 'mutt is not installed (apt-get install -y mutt)' }, async () => {
    // The server's threads, read depth first: the order of a thread view.
    const raw = await loggedIn(server.port);
    await raw.command('s1 SELECT INBOX');
    const [thread] = (await raw.command('t1 THREAD REFERENCES UTF-8 ALL')).filter((l) => l.startsWith('* THREAD'));
    raw.close();
    assert.equal(thread, '* THREAD ((4)(5))(1 (3)(2)(6))');
    const expected = [...thread.matchAll(/\d+/g)].map((m) => /Message-ID: (<[^>]+>)/.exec(LUNCH_THREADS[Number(m[0]) - 1].toString())![1]);

    const work = mkdtempSync(join(tmpdir(), 'mutt-threads-'));
    try {
      const mailbox = `imaps://alice%40example.test@127.0.0.1:${server.tlsPort}`;
      writeFileSync(
        join(work, 'muttrc'),
        [
          `set spoolfile="${mailbox}/INBOX"`,
          `set folder="${mailbox}/"`,
          'set imap_user="alice@example.test"',
          `set imap_pass="${TEST_PASSWORD}"`,
          // The daemon's own certificate, trusted as a user would accept it once; it names mail.example.test.
          `set certificate_file="${join(server.daemon.dataDir, 'tls', 'cert.pem')}"`,
          'set ssl_verify_host=no',
          'set sort=threads',
          'set pipe_split=yes',
          'set wait_key=no',
          'set quit=yes',
          'set move=no',
          'set header_cache=""',
          'set message_cachedir=""',
        ].join('\n'),
      );
      // Async: the server runs in this process and must keep answering while mutt runs.
      const { stdout } = await run('python3', [muttDriver, join(work, 'muttrc'), work], { timeout: 90_000 });
      const [ids, commands] = stdout.split('--- commands\n');
      assert.deepEqual(ids.trim().split('\n'), expected);
      // Mutt 2.2 threads on its side (its IMAP code knows no THREAD or SORT): it reads the
      // threading headers of every message over IMAPS, which is what is checked here.
      assert.match(commands, /^a\d+ SELECT "INBOX"$/m);
      assert.match(commands, /^a\d+ FETCH 1:6 \(UID FLAGS INTERNALDATE RFC822\.SIZE BODY\.PEEK\[HEADER\.FIELDS \([^)]*MESSAGE-ID REFERENCES[^)]*IN-REPLY-TO/m);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
