// Issue 11 section 5, the attack as an outsider runs it: password guessing
// against two real daemon processes (mail-daemon/startup/main.ts) on one database,
// on SMTP AUTH, IMAP and POP3, from several client addresses. The limit is
// one for all services and processes, keys on the account however it is
// spelled, slows then refuses the guessing address, and never locks the
// owner out. Every failure is one log line, and Debian's fail2ban finds the
// guessing address in the daemons' real output with the filter we ship.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { openDatabase } from '../../prisma/database.ts';
import { closeMailStore, createMailStore } from '../../mail-daemon/store/context.ts';
import { startDaemonProcess, type DaemonProcess } from './daemon-process.ts';
import { imapLogin, pop3Login, smtpLogin } from './line-client.ts';

const FILTER = 'mail-daemon/fail2ban/filter.d/mailplatform.conf';
const JAIL = 'mail-daemon/fail2ban/jail.d/mailplatform.conf';
const ATTACKER = '127.0.3.20';
const OWNER = '127.0.3.21';
const NEIGHBOUR = '127.0.3.22';
const LIMITS = { LOGIN_SLOW_AFTER: '2', LOGIN_DELAY_STEP: '1ms', LOGIN_BLOCK_AFTER: '6', LOGIN_ACCOUNT_THROTTLE_AFTER: '4' };

for (const engine of ENGINES) {
  describe(`one login limit across services and daemons on ${engine}`, () => {
    let database: TestDatabase;
    let first: DaemonProcess, second: DaemonProcess;

    before(async () => {
      database = await createTestDatabase(engine);
      const store = createMailStore(await openDatabase(database.url));
      await addTestAccounts(store, 'sec.test', ['alice', 'bob']);
      await closeMailStore(store);
      [first, second] = await Promise.all([startDaemonProcess(database.url, LIMITS), startDaemonProcess(database.url, LIMITS)]);
    });
    after(async () => {
      await Promise.all([first?.stop(), second?.stop()]);
      await database.drop();
    });

    it('throttles the guessing address on every service, lets the owner in, then refuses the address outright', async () => {
      // Four guesses at bob, each service and daemon, each spelling: one count.
      assert.match(await imapLogin(first.port('imap'), ATTACKER, 'Bob@SEC.test.', 'guess1'), /^a NO \[AUTHENTICATIONFAILED\]/);
      assert.match(await pop3Login(second.port('pop3'), ATTACKER, ' bob@sec.test', 'guess2'), /^-ERR \[AUTH\]/);
      assert.match(await smtpLogin(first.port('submission'), ATTACKER, 'BOB@sec.test', 'guess3'), /^535 5\.7\.8 /);
      assert.match(await imapLogin(second.port('imap'), ATTACKER, 'bob@sec.test', 'guess4'), /^a NO \[AUTHENTICATIONFAILED\]/);
      // Bob is under attack: the guessing address gets no further try, even with the password...
      assert.match(await imapLogin(first.port('imap'), ATTACKER, 'bob@sec.test', TEST_PASSWORD), /^a NO \[UNAVAILABLE\]/);
      assert.match(await pop3Login(first.port('pop3'), ATTACKER, 'bob@sec.test', TEST_PASSWORD), /^-ERR \[SYS\/TEMP\] Too many failed logins/);
      // ...but bob is not locked out: from his own address, every service lets him in.
      assert.match(await imapLogin(first.port('imap'), OWNER, 'bob@sec.test', TEST_PASSWORD), /^a OK /);
      assert.match(await pop3Login(second.port('pop3'), OWNER, 'Bob@sec.test', TEST_PASSWORD), /^\+OK/);
      assert.match(await smtpLogin(second.port('submission'), OWNER, 'bob@sec.test.', TEST_PASSWORD), /^235 /);
      // Two more failures on other names reach LOGIN_BLOCK_AFTER: the address is refused for every account.
      assert.match(await smtpLogin(second.port('submission'), ATTACKER, 'nobody@sec.test', 'x'), /^535 /);
      assert.match(await pop3Login(first.port('pop3'), ATTACKER, 'root', 'x'), /^-ERR \[AUTH\]/);
      assert.match(await smtpLogin(first.port('submission'), ATTACKER, 'alice@sec.test', TEST_PASSWORD), /^454 4\.7\.0 Too many failed logins/);
      assert.match(await imapLogin(second.port('imap'), ATTACKER, 'alice@sec.test', TEST_PASSWORD), /^a NO \[UNAVAILABLE\]/);
      assert.match(await imapLogin(second.port('imap'), NEIGHBOUR, 'alice@sec.test', TEST_PASSWORD), /^a OK /, 'other addresses are not affected');
    });

    it('logs every failed login as one line, and fail2ban-regex finds only the guessing address in the real output', () => {
      const lines = [...first.output, ...second.output].filter((line) => line.includes('login failed'));
      // 6 wrong passwords, 2 refused while throttled, 2 refused while blocked.
      assert.equal(lines.length, 10);
      for (const line of lines) assert.match(line, /^mail-daemon: \S+Z login failed: service=(imap|pop3|smtp) client=127\.0\.3\.20 reason=(bad-credentials|rate-limited) account="[^"]*"$/);
      assert.ok(lines.some((line) => line.endsWith('account="bob@sec.test"')) && !lines.some((line) => /account="(Bob|BOB| )/.test(line)), 'the account is logged normalized');
      const dir = mkdtempSync(join(tmpdir(), 'fail2ban-'));
      try {
        const log = join(dir, 'mailplatform.log');
        // As `npm start` writes it, with its "[daemon] " prefix, among the other lines.
        writeFileSync(log, [...first.output, ...second.output].map((line) => `[daemon] ${line}\n`).join(''));
        const banned = execFileSync('fail2ban-regex', ['-o', 'ip', log, join(process.cwd(), FILTER)], { encoding: 'utf8' }).trim().split('\n');
        assert.deepEqual(banned, Array(10).fill(ATTACKER));

        // The jail loads with Debian's configuration around it.
        const conf = join(dir, 'etc');
        cpSync('/etc/fail2ban', conf, { recursive: true });
        for (const name of readdirSync(join(conf, 'jail.d'))) unlinkSync(join(conf, 'jail.d', name));
        cpSync(FILTER, join(conf, 'filter.d', 'mailplatform.conf'));
        cpSync(JAIL, join(conf, 'jail.d', 'mailplatform.conf'));
        writeFileSync(join(conf, 'jail.d', 'zz-test.local'), `[mailplatform]\nlogpath = ${log}\n`);
        const dump = execFileSync('fail2ban-client', ['-c', conf, '-d'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        assert.match(dump, /\['add', 'mailplatform', /);
        assert.match(dump, /\['set', 'mailplatform', 'addlogpath', '[^']*mailplatform\.log'/);
        execFileSync('fail2ban-client', ['-c', conf, '-t'], { stdio: 'ignore' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
