// Issue 11 section 4, the attack end to end: an ordinary user claims
// bigbank.example through the web's domain function, makes
// security@bigbank.example, and tries to log in (465, IMAP, POP3, the web),
// to send as the domain, and to have mail delivered to it on 25. None of it
// works until the ownership record is found, and the claim never blocks the
// owner: mailctl and a platform admin on the web take the domain over, and
// anyone may once the claim has expired.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ImapFlow } from 'imapflow';
import { ENGINES } from '../support/databases.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { sendWithNodemailer } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { imapService } from '../../mail-daemon/imap/imap-service.ts';
import { pop3Service } from '../../mail-daemon/pop3/pop3-service.ts';
import { authenticate, createAccount, type AccountView } from '../../mail-daemon/accounts/accounts.ts';
import { addAlias } from '../../mail-daemon/aliases/aliases.ts';
import { addDomainAs } from '../../mail-daemon/domains/domain-claims.ts';
import { findDomain } from '../../mail-daemon/domains/domains.ts';
import { listDomainAdmins } from '../../mail-daemon/domains/domain-admins.ts';
import { pop3Login } from './line-client.ts';

const WEEK = 7 * 86_400_000;
const SQUAT_PASSWORD = 'bigbank squat password';
const mailctlPath = new URL('../../mail-daemon/mailctl/main.ts', import.meta.url).pathname;

type SmtpFailure = Error & { response?: string };
const replyOf = (error: SmtpFailure) => error.response ?? error.message;

for (const engine of ENGINES) {
  describe(`unverified domains on ${engine}`, () => {
    let daemon: TestDaemon;
    let dns: TestDnsServer;
    let mallory: AccountView, carol: AccountView, admin: AccountView;

    function mailctl(...args: string[]) {
      return mailctlWithInput('', ...args);
    }

    /** mailctl with `input` on its standard input (a password, for --password-stdin). */
    function mailctlWithInput(input: string, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
      const child = spawn(process.execPath, ['--import', 'tsx', mailctlPath, ...args], {
        env: { ...process.env, DATA_DIR: daemon.dataDir, DATABASE_URL: daemon.database.url, MAIL_HOSTNAME: 'mail.example.test' },
      });
      child.stdin.end(input);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
    }

    async function imapLogin(user: string, pass: string): Promise<boolean> {
      const client = new ImapFlow({ host: '127.0.0.1', port: daemon.port('imap'), secure: false, tls: { rejectUnauthorized: false }, auth: { user, pass }, logger: false });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.logout();
        return true;
      } catch {
        return false;
      }
    }

    const submit = (auth: { user: string; pass: string }, from: string, to: string) =>
      sendWithNodemailer({ port: daemon.port('submissions'), secure: true, auth }, { from, to: [to] }, buildMessage({ from: `BigBank Security <${from}>`, to, subject: 'Verify your account' }));
    const deliverOn25 = (to: string) => sendWithNodemailer({ port: daemon.port('smtp') }, { from: 'someone@remote.test', to: [to] }, buildMessage({ to, subject: 'To the bank' }));
    const messagesOf = (accountId: number) => daemon.context.store.database.prisma.message.count({ where: { mailbox: { accountId } } });

    before(async () => {
      dns = await startTestDnsServer({});
      daemon = await startTestDaemon(engine, [smtpService, imapService, pop3Service], { DNS_SERVERS: dns.address });
      [mallory, carol] = await addTestAccounts(daemon.context.store, 'sec.test', ['mallory', 'carol']);
      admin = await createAccount(daemon.context.store, { address: 'root-admin@sec.test', password: TEST_PASSWORD, role: 'admin' });
    });
    after(async () => {
      await daemon.dispose();
      await dns.close();
    });

    it('a user\'s claim on bigbank.example cannot log in, send as the domain, or receive', async () => {
      const store = daemon.context.store;
      const claim = await addDomainAs(store, mallory, 'BigBank.example', WEEK);
      assert.equal(claim.verified, false);
      const squatter = await createAccount(store, { address: 'security@bigbank.example', password: SQUAT_PASSWORD });
      await addAlias(store, 'ceo@bigbank.example', ['mallory@sec.test']);
      const security = { user: 'security@bigbank.example', pass: SQUAT_PASSWORD };

      await assert.rejects(submit(security, 'security@bigbank.example', 'carol@sec.test'), (e: SmtpFailure) => /^535 5\.7\.8/.test(replyOf(e)), 'no login on 465');
      assert.equal(await imapLogin('carol@sec.test', TEST_PASSWORD), true, 'IMAP logins work for verified domains');
      assert.equal(await imapLogin(security.user, security.pass), false, 'no IMAP login');
      assert.match(await pop3Login(daemon.port('pop3'), '127.0.3.30', security.user, security.pass), /^-ERR \[AUTH\]/, 'no POP3 login');
      assert.equal(await authenticate(store, security.user, security.pass, { purpose: 'web' }), null, 'no web sign-in');
      await assert.rejects(
        submit({ user: 'mallory@sec.test', pass: TEST_PASSWORD }, 'ceo@bigbank.example', 'carol@sec.test'),
        (e: SmtpFailure) => /^553 5\.7\.1/.test(replyOf(e)),
        'an alias under the claim is no address to send as',
      );
      assert.equal(await messagesOf(carol.id), 0, 'nothing "from BigBank" reached a local INBOX');

      await assert.rejects(deliverOn25('security@bigbank.example'), (e: SmtpFailure) => /^550 5\.7\.1/.test(replyOf(e)), 'port 25 does not take mail for the claim');
      await assert.rejects(deliverOn25('ceo@bigbank.example'), (e: SmtpFailure) => /^550 5\.7\.1/.test(replyOf(e)));
      const sent = await submit({ user: 'carol@sec.test', pass: TEST_PASSWORD }, 'carol@sec.test', 'security@bigbank.example');
      assert.deepEqual(sent.accepted, ['security@bigbank.example'], 'a local user\'s mail to the domain goes out to its real MX...');
      assert.equal(await messagesOf(squatter.id), 0, '...and not into the claimant\'s mailbox');
      const queued = await store.database.prisma.queueRecipient.count({ where: { address: 'security@bigbank.example' } });
      assert.equal(queued, 1);
    });

    it('mailctl domain add takes the claim over for the owner, who then logs in and receives', async () => {
      const store = daemon.context.store;
      const claim = (await findDomain(store, 'bigbank.example'))!;
      const result = await mailctl('domain', 'add', 'bigbank.example');
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^took bigbank\.example over from an unverified claim/);
      const owned = (await findDomain(store, 'bigbank.example'))!;
      assert.equal(owned.verified, true);
      assert.notEqual(owned.verifyToken, claim.verifyToken);
      assert.notEqual(owned.dkimPrivateKey, claim.dkimPrivateKey, 'the claimant\'s DKIM key is not the domain\'s');
      assert.deepEqual(await listDomainAdmins(store, 'bigbank.example'), [], 'the claimant administers it no more');
      assert.equal(await store.database.prisma.account.count({ where: { domainId: owned.id } }), 0, 'the claimant\'s mailboxes are gone');
      assert.equal(await store.database.prisma.alias.count({ where: { address: 'ceo@bigbank.example' } }), 0);

      const added = await mailctlWithInput('the real bank secret\n', 'user', 'add', 'security@bigbank.example', '--password-stdin');
      assert.equal(added.status, 0, added.stderr);
      const owner = { user: 'security@bigbank.example', pass: 'the real bank secret' };
      assert.equal(await imapLogin(owner.user, owner.pass), true);
      assert.deepEqual((await deliverOn25('security@bigbank.example')).accepted, ['security@bigbank.example']);
      assert.deepEqual((await submit(owner, 'security@bigbank.example', 'carol@sec.test')).accepted, ['carol@sec.test']);
    });

    it('a platform admin on the web takes a claim over; a user does only once it has expired', async () => {
      const store = daemon.context.store;
      await addDomainAs(store, mallory, 'shop.example', WEEK);
      await assert.rejects(addDomainAs(store, carol, 'shop.example', WEEK), /already hosted here/);
      await store.database.prisma.domain.update({ where: { name: 'shop.example' }, data: { createdAt: new Date(Date.now() - WEEK - 60_000) } });
      const taken = await addDomainAs(store, carol, 'shop.example', WEEK);
      assert.equal(taken.verified, false, 'an expired claim gives way to a new claim, not to a verified domain');
      assert.deepEqual(await listDomainAdmins(store, 'shop.example'), ['carol@sec.test']);

      await addDomainAs(store, mallory, 'payments.example', WEEK);
      const adminTook = await addDomainAs(store, admin, 'payments.example', WEEK);
      assert.equal(adminTook.verified, true);
      assert.deepEqual(await listDomainAdmins(store, 'payments.example'), []);
      await assert.rejects(addDomainAs(store, mallory, 'payments.example', WEEK), /already hosted here/, 'a verified domain gives way to no one');
    });
  });
}
