// The POP3 server with clients nobody here wrote: Python's poplib (plain,
// STLS and POP3_SSL), curl (pop3:// with and without STLS, pop3s://) and
// Debian's fetchmail downloading and deleting a maildrop of 200 messages that
// came in over SMTP, byte for byte.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEST_PASSWORD, addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { sendWithNodemailer } from '../support/smtp-client.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { getMessageContent, listMessages } from '../../mail-daemon/store/messages.ts';
import { pop3Service } from '../../mail-daemon/pop3/pop3-service.ts';
import { Pop3Server } from '../../mail-daemon/pop3/pop3-server.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

const run = promisify(execFile);
// .ci/run installs fetchmail, so CI never skips this; a developer without it is told how to get it.
const hasFetchmail = process.env.CI === 'true' || spawnSync('sh', ['-c', 'command -v fetchmail']).status === 0;

const POPLIB_SCRIPT = `
import hashlib, json, poplib, ssl, sys
mode, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
context = ssl._create_unverified_context()
client = poplib.POP3_SSL('127.0.0.1', port, context=context) if mode == 'ssl' else poplib.POP3('127.0.0.1', port)
if mode == 'stls':
    client.stls(context=context)
caps = sorted(client.capa().keys())
client.user(user)
client.pass_(password)
count, size = client.stat()
messages = []
for i in range(1, count + 1):
    response, lines, octets = client.retr(i)
    messages.append({'response': response.decode(), 'octets': octets, 'content': (b'\\r\\n'.join(lines) + b'\\r\\n').hex()})
top = client.top(1, 0)[1]
uidl = [line.decode() for line in client.uidl()[1]]
client.dele(1)
quit = client.quit().decode()
print(json.dumps({'caps': caps, 'stat': [count, size], 'messages': messages, 'top': len(top), 'uidl': uidl, 'quit': quit, 'secure': mode}))
`;

interface PoplibResult {
  caps: string[];
  stat: [number, number];
  messages: { response: string; octets: number; content: string }[];
  top: number;
  uidl: string[];
  quit: string;
}

describe('POP3 with real clients', () => {
  let daemon: TestDaemon;
  let dns: TestDnsServer;
  let work: string;
  let script: string;
  /** A listener over the same store that allows plain text from loopback, as ALLOW_PLAINTEXT_LOOPBACK does. */
  let loopbackServer: Pop3Server;
  let loopbackPort: number;
  const accounts: Record<string, AccountView> = {};

  async function storedContents(account: AccountView): Promise<Buffer[]> {
    const store = daemon.context.store;
    const inbox = await inboxOf(store, account.id);
    const rows = await listMessages(store, account.id, inbox.id);
    return Promise.all(rows.map(async (row) => (await getMessageContent(store, account.id, row.id)).raw));
  }

  before(async () => {
    dns = await startTestDnsServer({});
    daemon = await startTestDaemon('sqlite', [smtpService, pop3Service], { DNS_SERVERS: dns.address, ALLOW_PLAINTEXT_LOOPBACK: 'false' });
    const { store, tls, config } = daemon.context;
    loopbackServer = new Pop3Server({ store, tls, hostname: config.hostname, allowPlaintextLoopback: true, log: () => undefined });
    loopbackPort = await loopbackServer.listen('127.0.0.1', 0, false);
    const names = ['plain', 'loopback', 'stls', 'ssl', 'curl', 'fetch'];
    for (const account of await addTestAccounts(daemon.context.store, 'example.test', names)) accounts[account.address.split('@')[0]] = account;
    work = mkdtempSync(join(tmpdir(), 'pop3-clients-'));
    script = join(work, 'poplib_client.py');
    writeFileSync(script, POPLIB_SCRIPT);
  });
  after(async () => {
    await loopbackServer.close();
    await daemon.dispose();
    await dns.close();
    rmSync(work, { recursive: true, force: true });
  });

  for (const mode of ['plain', 'loopback', 'stls', 'ssl'] as const) {
    const title = {
      plain: 'poplib without TLS is refused with [AUTH]',
      loopback: 'poplib without TLS retrieves byte-exact messages where loopback plain text is allowed',
      stls: 'poplib stls() retrieves byte-exact messages',
      ssl: 'poplib POP3_SSL retrieves byte-exact messages',
    }[mode];
    it(title, async () => {
      const account = accounts[mode];
      const sent = [buildMessage({ subject: `poplib ${mode}`, body: 'one\n.two\n..three\n' }), buildMessage({ subject: 'second', body: 'x\n' })];
      for (const raw of sent) await deliverMessage(daemon.context.store, raw, [{ accountId: account.id }]);
      const port = mode === 'loopback' ? loopbackPort : daemon.port(mode === 'ssl' ? 'pop3s' : 'pop3');
      const call = run('python3', [script, mode === 'loopback' ? 'plain' : mode, String(port), account.address, TEST_PASSWORD]);
      if (mode === 'plain') {
        // This daemon refuses plain text from loopback too, like a public server.
        await assert.rejects(call, /-ERR \[AUTH\] Plaintext authentication is not allowed/);
        return;
      }
      const result = JSON.parse((await call).stdout) as PoplibResult;
      assert.ok(result.caps.includes('UIDL') && result.caps.includes('TOP') && result.caps.includes('USER'));
      assert.deepEqual(result.stat, [2, sent[0].length + sent[1].length]);
      for (const [i, message] of result.messages.entries()) {
        assert.equal(message.response, `+OK ${sent[i].length} octets`);
        assert.equal(message.octets, sent[i].length, 'the announced size is what poplib counted');
        assert.ok(Buffer.from(message.content, 'hex').equals(sent[i]), `message ${i + 1} is byte-exact`);
      }
      assert.equal(result.uidl.length, 2);
      assert.match(result.quit, /^\+OK .*\(1 message deleted\)/);
      assert.deepEqual(await storedContents(account), [sent[1]]);
    });
  }

  it('curl lists and retrieves over STLS and pop3s, and deletes with DELE', async () => {
    const account = accounts.curl;
    const sent = [buildMessage({ subject: 'curl one', body: '.dot first\nplain\n' }), buildMessage({ subject: 'curl two' })];
    for (const raw of sent) await deliverMessage(daemon.context.store, raw, [{ accountId: account.id }]);
    const user = `${account.address}:${TEST_PASSWORD}`;
    const pop3 = `pop3://127.0.0.1:${daemon.port('pop3')}`;
    const pop3s = `pop3s://127.0.0.1:${daemon.port('pop3s')}`;
    const curl = (args: string[]) => run('curl', ['-sS', '-k', '--max-time', '20', '-u', user, ...args], { encoding: 'buffer' });

    const list = (await curl(['--ssl-reqd', `${pop3}/`])).stdout.toString();
    assert.equal(list, `1 ${sent[0].length}\r\n2 ${sent[1].length}\r\n`);
    const first = (await curl(['--ssl-reqd', `${pop3}/1`])).stdout;
    assert.ok(first.equals(sent[0]), 'curl over STLS gets the message byte-exact');
    const second = (await curl([`${pop3s}/2`])).stdout;
    assert.ok(second.equals(sent[1]), 'curl over pop3s gets the message byte-exact');
    const uidl = (await curl(['-X', 'UIDL', `${pop3s}/`])).stdout.toString();
    assert.match(uidl, /^1 \S+\r\n2 \S+\r\n$/);
    // Without TLS this server offers no login: curl gives up.
    await assert.rejects(curl([`${pop3}/`]));
    await curl(['-X', 'DELE', '--ssl-reqd', '-I', `${pop3}/1`]);
    assert.deepEqual(await storedContents(account), [sent[1]]);
  });

  it('fetchmail downloads and deletes 200 messages that came in over SMTP, byte for byte', { skip: hasFetchmail ? false : 'fetchmail is not installed (apt-get install -y fetchmail)' }, async () => {
    const account = accounts.fetch;
    const sent: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      sent.push(buildMessage({ to: account.address, subject: `batch ${i}`, body: `message ${i}\n.line with a dot\n${'text '.repeat(i)}\n` }));
    }
    for (let i = 0; i < sent.length; i += 10) {
      await Promise.all(sent.slice(i, i + 10).map((raw) => sendWithNodemailer({ port: daemon.port('smtp') }, { from: 'sender@remote.test', to: [account.address] }, raw)));
    }
    const stored = await storedContents(account);
    assert.equal(stored.length, 200);
    for (const raw of stored) assert.ok(sent.some((original) => raw.subarray(raw.length - original.length).equals(original)), 'SMTP stored the message with trace headers in front');

    const out = join(work, 'fetched');
    rmSync(out, { recursive: true, force: true });
    writeFileSync(join(work, 'mda.sh'), `#!/bin/sh\nmkdir -p "${out}"\ncat > "${out}/$(date +%s%N)-$$"\n`);
    chmodSync(join(work, 'mda.sh'), 0o755);
    const rc = join(work, 'fetchmailrc');
    writeFileSync(
      rc,
      [
        'set no bouncemail',
        'set invisible',
        `poll 127.0.0.1 with proto POP3 service ${daemon.port('pop3s')} and options no dns`,
        `  user "${account.address}" there with password "${TEST_PASSWORD}" is root here`,
        `  options fetchall no keep no rewrite no stripcr ssl no sslcertck mda "${join(work, 'mda.sh')}"`,
        '',
      ].join('\n'),
    );
    chmodSync(rc, 0o600);
    const fetched = await run('fetchmail', ['-f', rc, '--idfile', join(work, 'fetchids'), '--nosyslog', '-v'], { env: { ...process.env, HOME: work }, maxBuffer: 16 * 1024 * 1024 });
    assert.match(fetched.stdout + fetched.stderr, /200 messages/);
    const files = readdirSync(out).map((name) => readFileSync(join(out, name)));
    assert.equal(files.length, 200);
    const expected = new Set(stored.map((raw) => raw.toString('latin1')));
    for (const file of files) assert.ok(expected.has(file.toString('latin1')), 'fetchmail got the stored bytes exactly');
    assert.deepEqual(await storedContents(account), [], 'fetchmail deleted the maildrop');
  });
});
