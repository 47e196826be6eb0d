// POP3 AUTHORIZATION state: greeting, CAPA, USER/PASS, AUTH PLAIN, STLS and
// implicit TLS, plain-text refusal, [AUTH]/[SYS/TEMP]/[IN-USE], the rate
// limit, commands in the wrong state and bad input.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_PASSWORD } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { startPop3Fixture, type Pop3Fixture } from './pop3-fixture.ts';
import { Pop3Transcript } from './pop3-transcript.ts';

const ALICE = 'alice@example.test';
const plain = (authzid: string, authcid: string, password: string) => Buffer.from(`${authzid}\0${authcid}\0${password}`).toString('base64');
const TRANSACTION_COMMANDS = ['STAT', 'LIST', 'LIST 1', 'UIDL', 'UIDL 1', 'RETR 1', 'TOP 1 1', 'DELE 1', 'NOOP', 'RSET'];

/** Retries while the previous session of the maildrop is still releasing its lock. */
async function loginWhenFree(port: number, user: string): Promise<Pop3Transcript> {
  for (let i = 0; ; i++) {
    const client = await Pop3Transcript.connect(port);
    await client.expect(`USER ${user}`, /^\+OK/);
    const reply = await client.command(`PASS ${TEST_PASSWORD}`);
    if (reply.startsWith('+OK')) return client;
    await client.quit();
    if (i > 50 || !reply.includes('[IN-USE]')) throw new Error(`login failed: ${reply}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('POP3 AUTHORIZATION with loopback plain text allowed', () => {
  let fixture: Pop3Fixture;
  let port: number;

  before(async () => {
    fixture = await startPop3Fixture('sqlite', ['alice', 'bob', 'carol', 'dave']);
    port = fixture.daemon.port('pop3');
    await fixture.deliver(fixture.accounts.alice, [buildMessage({ subject: 'one' })]);
  });
  after(() => fixture.daemon.dispose());

  it('greets with +OK and the host name, and no APOP timestamp', async () => {
    const client = await Pop3Transcript.connect(port);
    assert.match(client.greeting, /^\+OK mail\.example\.test POP3 server ready$/);
    assert.doesNotMatch(client.greeting, /<.*>/);
    await client.expect('QUIT', /^\+OK/);
    await client.closed();
  });

  it('lists the capabilities of RFC 2449, USER and SASL PLAIN, and STLS', async () => {
    const client = await Pop3Transcript.connect(port);
    const caps = await client.multi('CAPA', /^\+OK Capability list follows$/);
    for (const cap of ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'EXPIRE NEVER', 'USER', 'SASL PLAIN', 'STLS']) {
      assert.ok(caps.includes(cap), `CAPA lists ${cap}`);
    }
    assert.ok(caps.some((c) => c.startsWith('IMPLEMENTATION ')));
    await client.login(ALICE, TEST_PASSWORD);
    const after = await client.multi('CAPA');
    assert.ok(!after.includes('USER') && !after.includes('STLS') && !after.includes('SASL PLAIN'), 'no login capabilities once logged in');
    assert.ok(after.includes('UIDL') && after.includes('TOP'));
    await client.quit();
  });

  it('refuses every TRANSACTION command before login and stays usable', async () => {
    const client = await Pop3Transcript.connect(port);
    for (const command of TRANSACTION_COMMANDS) {
      await client.expect(command, /^-ERR .*not allowed in the AUTHORIZATION state/);
    }
    await client.login('bob@example.test', TEST_PASSWORD);
    await client.quit();
  });

  it('refuses unknown commands, APOP, empty lines and missing arguments', async () => {
    const client = await Pop3Transcript.connect(port);
    await client.expect('FOO', '-ERR Unknown command');
    await client.expect('APOP alice@example.test c4c9334bac560ecc979e58001b3e22fb', '-ERR Unknown command');
    await client.expect('', '-ERR Unknown command');
    await client.expect('USER', /^-ERR USER needs 1 argument/);
    await client.expect('PASS', /^-ERR PASS needs 1 argument/);
    await client.expect(`PASS ${TEST_PASSWORD}`, '-ERR Send USER first');
    await client.expect('STLS now', /^-ERR STLS takes no arguments/);
    await client.expect('AUTH PLAIN a b', /^-ERR AUTH takes at most 2 arguments/);
    await client.expect('QUIT', /^\+OK/);
    await client.closed();
  });

  it('logs in with USER and PASS (case-insensitive keywords, password with spaces)', async () => {
    const client = await Pop3Transcript.connect(port);
    await client.expect(`user ${ALICE}`, /^\+OK/);
    await client.expect(`pass ${TEST_PASSWORD}`, /^\+OK Logged in, 1 message \(\d+ octets\)$/);
    await client.expect('STAT', /^\+OK 1 \d+$/);
    await client.quit();
  });

  it('answers a wrong password with -ERR [AUTH] and lets the client try again', async () => {
    const client = await Pop3Transcript.connect(port);
    await client.expect('USER carol@example.test', /^\+OK/);
    await client.expect('PASS wrong', '-ERR [AUTH] Authentication failed');
    await client.expect('USER nobody@example.test', /^\+OK/);
    await client.expect('PASS wrong', '-ERR [AUTH] Authentication failed');
    await client.expect('USER carol@example.test', /^\+OK/);
    await client.expect(`PASS ${TEST_PASSWORD}`, /^\+OK/);
    await client.quit();
  });

  it('AUTH lists PLAIN and logs in with an initial response, a continuation or "="', async () => {
    const client = await Pop3Transcript.connect(port);
    assert.deepEqual(await client.multi('AUTH'), ['PLAIN']);
    await client.expect('AUTH CRAM-MD5', '-ERR Unsupported authentication mechanism');
    await client.expect('AUTH PLAIN', '+ ');
    await client.expect('*', '-ERR Authentication cancelled');
    await client.expect('AUTH PLAIN', '+ ');
    await client.expect('not base64!', '-ERR Invalid base64 in the SASL response');
    await client.expect('AUTH PLAIN =', '-ERR [AUTH] Malformed PLAIN response');
    await client.expect(`AUTH PLAIN ${plain('bob@example.test', 'carol@example.test', TEST_PASSWORD)}`, '-ERR [AUTH] Authentication failed');
    await client.expect('AUTH PLAIN', '+ ');
    await client.expect(plain('', 'carol@example.test', TEST_PASSWORD), /^\+OK Logged in/);
    await client.quit();
    const second = await Pop3Transcript.connect(port);
    await second.expect(`AUTH plain ${plain('dave@example.test', 'dave@example.test', TEST_PASSWORD)}`, /^\+OK Logged in/);
    await second.quit();
  });

  it('refuses login commands in TRANSACTION', async () => {
    const client = await Pop3Transcript.connect(port);
    await client.login('dave@example.test', TEST_PASSWORD);
    for (const command of [`USER ${ALICE}`, `PASS ${TEST_PASSWORD}`, 'AUTH PLAIN', 'STLS']) {
      await client.expect(command, /^-ERR .*not allowed in the TRANSACTION state/);
    }
    await client.expect('NOOP', '+OK');
    await client.quit();
  });

  it('gives a second session on the same maildrop -ERR [IN-USE] until the first ends', async () => {
    const first = await Pop3Transcript.connect(port);
    await first.login(ALICE, TEST_PASSWORD);
    const second = await Pop3Transcript.connect(port);
    await second.expect(`USER ${ALICE}`, /^\+OK/);
    await second.expect(`PASS ${TEST_PASSWORD}`, /^-ERR \[IN-USE\] /);
    await second.expect(`AUTH PLAIN ${plain('', ALICE, TEST_PASSWORD)}`, /^-ERR \[IN-USE\] /);
    // Still in AUTHORIZATION: another account works on the same connection.
    await second.expect('STAT', /^-ERR .*AUTHORIZATION/);
    await first.quit();
    await second.expect(`USER ${ALICE}`, /^\+OK/);
    await second.expect(`PASS ${TEST_PASSWORD}`, /^\+OK/);
    // A dropped connection releases the lock too.
    await second.drop();
    const third = await loginWhenFree(port, ALICE);
    await third.quit();
  });

  it('answers a 10 kB line with -ERR and reads the next command', async () => {
    const client = await Pop3Transcript.connect(port);
    await client.expect(`USER ${'x'.repeat(10_000)}`, '-ERR Line too long');
    await client.expect('CAPA', /^\+OK/);
    await client.lines();
    client.send(Buffer.concat([Buffer.alloc(200_000, 0x61), Buffer.from('\r\nQUIT\r\n')]));
    assert.equal(await client.line(), '-ERR Line too long');
    assert.match(await client.line(), /^\+OK/);
    await client.closed();
  });

  it('closes the connection after too many errors', async () => {
    const client = await Pop3Transcript.connect(port);
    client.send('BAD\r\n'.repeat(30));
    for (let i = 0; i < 20; i++) assert.equal(await client.line(), '-ERR Unknown command');
    assert.equal(await client.line(), '-ERR Too many errors, closing the connection');
    await client.closed();
  });

  it('QUIT in AUTHORIZATION ends the session and ignores what follows', async () => {
    const client = await Pop3Transcript.connect(port);
    client.send('QUIT\r\nCAPA\r\n');
    assert.match(await client.line(), /^\+OK .*signing off/);
    await client.closed();
  });
});

describe('POP3 on a server that refuses plain text', () => {
  let fixture: Pop3Fixture;

  before(async () => {
    fixture = await startPop3Fixture('sqlite', ['alice'], { ALLOW_PLAINTEXT_LOOPBACK: 'false' });
    await fixture.deliver(fixture.accounts.alice, [buildMessage({ subject: 'secret' })]);
  });
  after(() => fixture.daemon.dispose());

  it('offers only STLS before TLS and refuses USER and AUTH PLAIN with [AUTH]', async () => {
    const client = await Pop3Transcript.connect(fixture.daemon.port('pop3'));
    const caps = await client.multi('CAPA');
    assert.ok(caps.includes('STLS'));
    assert.ok(!caps.includes('USER') && !caps.includes('SASL PLAIN'));
    await client.expect(`USER ${ALICE}`, /^-ERR \[AUTH\] .*STLS/);
    await client.expect(`PASS ${TEST_PASSWORD}`, /^-ERR \[AUTH\] .*STLS/);
    await client.expect(`AUTH PLAIN ${plain('', ALICE, TEST_PASSWORD)}`, /^-ERR \[AUTH\] .*STLS/);
    await client.quit();
  });

  it('logs in after STLS, where CAPA no longer lists STLS', async () => {
    const client = await Pop3Transcript.connect(fixture.daemon.port('pop3'));
    await client.startTls();
    const caps = await client.multi('CAPA');
    assert.ok(caps.includes('USER') && caps.includes('SASL PLAIN') && !caps.includes('STLS'));
    await client.expect('STLS', '-ERR Already using TLS');
    await client.login(ALICE, TEST_PASSWORD);
    await client.expect('STAT', /^\+OK 1 /);
    await client.quit();
  });

  it('discards commands pipelined after STLS in the clear (RFC 2595 4)', async () => {
    const client = await Pop3Transcript.connect(fixture.daemon.port('pop3'));
    await client.startTls(`USER ${ALICE}\r\n`);
    await client.expect(`PASS ${TEST_PASSWORD}`, '-ERR Send USER first');
    await client.quit();
  });

  it('survives a client that sends garbage instead of a TLS handshake, after STLS and on POP3S', async () => {
    const client = await Pop3Transcript.connect(fixture.daemon.port('pop3'));
    await client.expect('STLS', /^\+OK/);
    client.send(Buffer.alloc(300, 0x47));
    await client.closed();
    const { connect } = await import('node:net');
    const raw = connect({ host: '127.0.0.1', port: fixture.daemon.port('pop3s') });
    raw.on('error', () => undefined);
    raw.write('GET / HTTP/1.0\r\n\r\n');
    await new Promise((resolve) => raw.on('close', resolve));
    const next = await Pop3Transcript.connect(fixture.daemon.port('pop3s'), { tls: true });
    await next.expect('CAPA', /^\+OK/);
    await next.lines();
    await next.quit();
  });

  it('logs in on the implicit TLS port', async () => {
    const client = await Pop3Transcript.connect(fixture.daemon.port('pop3s'), { tls: true });
    const caps = await client.multi('CAPA');
    assert.ok(caps.includes('USER') && !caps.includes('STLS'));
    await client.expect(`AUTH PLAIN ${plain('', ALICE, TEST_PASSWORD)}`, /^\+OK Logged in/);
    await client.quit();
  });
});

describe('POP3 failed-login limit', () => {
  let fixture: Pop3Fixture;

  before(async () => {
    fixture = await startPop3Fixture('sqlite', ['alice']);
  });
  after(() => fixture.daemon.dispose());

  it('answers -ERR [SYS/TEMP] after ten failures for an account, even with the right password', async () => {
    const client = await Pop3Transcript.connect(fixture.daemon.port('pop3'));
    for (let i = 0; i < 10; i++) {
      await client.expect(`USER ${ALICE}`, /^\+OK/);
      await client.expect(`PASS wrong-${i}`, '-ERR [AUTH] Authentication failed');
    }
    await client.expect(`USER ${ALICE}`, /^\+OK/);
    await client.expect(`PASS ${TEST_PASSWORD}`, /^-ERR \[SYS\/TEMP\] Too many failed logins/);
    await client.quit();
  });
});

describe('POP3 autologout', () => {
  it('closes a session that stays silent before login with -ERR (PRE_LOGIN_TIMEOUT)', async (t) => {
    const fixture = await startPop3Fixture('sqlite', []);
    t.after(() => fixture.daemon.dispose());
    const client = await Pop3Transcript.connect(await fixture.extraServer(t, { preLoginTimeoutMs: 200, idleTimeoutMs: 60_000 }));
    assert.equal(await client.line(), '-ERR Autologout; idle for too long');
    await client.closed();
  });

  it('closes an idle session after login with -ERR', async (t) => {
    const fixture = await startPop3Fixture('sqlite', ['alice']);
    t.after(() => fixture.daemon.dispose());
    const client = await Pop3Transcript.connect(await fixture.extraServer(t, { preLoginTimeoutMs: 60_000, idleTimeoutMs: 200 }));
    await client.login(fixture.accounts.alice.address, TEST_PASSWORD);
    assert.equal(await client.line(), '-ERR Autologout; idle for too long');
    await client.closed();
  });
});

describe('POP3 shutdown', () => {
  it('ends open sessions (plain, STLS, POP3S) without applying their DELE marks', async () => {
    const fixture = await startPop3Fixture('sqlite', ['alice', 'bob', 'carol']);
    const { store } = fixture.daemon.context;
    const clients: Pop3Transcript[] = [];
    for (const [name, kind] of [['alice', 'plain'], ['bob', 'stls'], ['carol', 'pop3s']] as const) {
      await fixture.deliver(fixture.accounts[name], [buildMessage({ subject: `keep ${name}` })]);
      const client = await Pop3Transcript.connect(fixture.daemon.port(kind === 'pop3s' ? 'pop3s' : 'pop3'), { tls: kind === 'pop3s' });
      if (kind === 'stls') await client.startTls();
      await client.login(fixture.accounts[name].address, TEST_PASSWORD);
      await client.expect('DELE 1', /^\+OK/);
      clients.push(client);
    }
    const counts = async () => Promise.all(Object.values(fixture.accounts).map((a) => store.database.prisma.message.count({ where: { mailbox: { accountId: a.id } } })));
    // Stop only the POP3 service, so the store stays open to look at.
    await Promise.all(fixture.daemon.services.map((s) => s.stop()));
    for (const client of clients) await client.closed();
    assert.deepEqual(await counts(), [1, 1, 1]);
    await fixture.daemon.dispose();
  });
});

describe('POP3 connections per address', () => {
  it('refuses a connection past the limit with -ERR [SYS/TEMP] and takes one again when a slot frees', async (t) => {
    const fixture = await startPop3Fixture('sqlite', []);
    t.after(() => fixture.daemon.dispose());
    const port = await fixture.extraServer(t, { connectionLimits: { perAddress: 2, perService: 100 } });
    const first = await Pop3Transcript.connect(port);
    await Pop3Transcript.connect(port);
    const third = await Pop3Transcript.connect(port);
    assert.equal(third.greeting, '-ERR [SYS/TEMP] Too many connections from your address, try again later');
    await third.closed();
    await first.quit();
    for (let i = 0; ; i++) {
      const again = await Pop3Transcript.connect(port);
      if (again.greeting.startsWith('+OK')) break;
      assert.ok(i < 50, 'a slot frees after QUIT');
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});
