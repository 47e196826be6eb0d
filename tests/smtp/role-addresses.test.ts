// postmaster@ (RFC 5321 4.5.1) and abuse@ (RFC 2142) on every hosted domain,
// sent with swaks to port 25: they reach the domain's administrators, the
// platform admins when the domain has none, and whatever an alias or an
// account of that name says when there is one (issue 14 item 3).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts, inboxOf, TEST_PASSWORD } from '../support/accounts.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { createAccount, type AccountView } from '../../mail-daemon/accounts/accounts.ts';
import { addDomain } from '../../mail-daemon/domains/domains.ts';
import { grantDomainAdmin } from '../../mail-daemon/domains/domain-admins.ts';
import { addAlias } from '../../mail-daemon/aliases/aliases.ts';
import { listMessages } from '../../mail-daemon/store/messages.ts';

const run = (command: string, args: string[]) =>
  promisify(execFile)(command, args, { encoding: 'utf8' }).then(
    ({ stdout, stderr }) => ({ status: 0, out: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ status: error.code ?? 1, out: (error.stdout ?? '') + (error.stderr ?? '') }),
  );

describe('postmaster@ and abuse@ on every hosted domain', () => {
  let daemon: TestDaemon;
  let root: AccountView, owner: AccountView, helper: AccountView, user: AccountView, abuseDesk: AccountView;

  before(async () => {
    daemon = await startTestDaemon('sqlite', [smtpService], { DNS_SERVERS: '127.0.0.1:9' });
    const store = daemon.context.store;
    [user] = await addTestAccounts(store, 'shop.test', ['user']);
    await addDomain(store, 'platform.test', { verified: true });
    root = await createAccount(store, { address: 'root@platform.test', password: TEST_PASSWORD, role: 'admin' });
    owner = await createAccount(store, { address: 'owner@shop.test', password: TEST_PASSWORD, role: 'domain_admin' });
    // An admin from another domain, listed for shop.test.
    helper = await createAccount(store, { address: 'helper@platform.test', password: TEST_PASSWORD });
    await grantDomainAdmin(store, 'shop.test', helper.address);
    // blog.test has no administrator of its own; news.test routes abuse@ by an alias.
    await addDomain(store, 'blog.test', { verified: true });
    await addDomain(store, 'news.test', { verified: true });
    abuseDesk = await createAccount(store, { address: 'desk@news.test', password: TEST_PASSWORD });
    await addAlias(store, 'abuse@news.test', [abuseDesk.address]);
  });
  after(() => daemon.dispose());

  const swaks = (to: string, subject: string) =>
    run('swaks', ['--server', `127.0.0.1:${daemon.port('smtp')}`, '--from', 'reporter@remote.test', '--helo', 'client.remote.test', '--to', to, '--header', `Subject: ${subject}`]);

  async function subjects(account: AccountView) {
    const inbox = await inboxOf(daemon.context.store, account.id);
    return (await listMessages(daemon.context.store, account.id, inbox.id)).map((m) => m.subject);
  }

  it('delivers postmaster@ and abuse@ to the domain\'s administrators, whatever the case', async () => {
    for (const [to, subject] of [['postmaster@shop.test', 'DMARC report'], ['Abuse@Shop.test', 'Spam complaint']]) {
      const sent = await swaks(to, subject);
      assert.equal(sent.status, 0, sent.out);
      assert.match(sent.out, /<- {2}250 /);
    }
    assert.deepEqual(await subjects(owner), ['DMARC report', 'Spam complaint']);
    assert.deepEqual(await subjects(helper), ['DMARC report', 'Spam complaint']);
    assert.deepEqual(await subjects(user), []);
    assert.deepEqual(await subjects(root), [], 'the platform admin is not bothered when the domain has admins');
  });

  it('falls back to the platform admins for a domain without administrators', async () => {
    const sent = await swaks('postmaster@blog.test', 'For the blog');
    assert.equal(sent.status, 0, sent.out);
    assert.deepEqual(await subjects(root), ['For the blog']);
  });

  it('follows an alias of that name instead', async () => {
    const sent = await swaks('abuse@news.test', 'Abuse at news');
    assert.equal(sent.status, 0, sent.out);
    assert.deepEqual(await subjects(abuseDesk), ['Abuse at news']);
    assert.deepEqual(await subjects(root), ['For the blog'], 'not to the admins as well');
  });

  it('still refuses other unknown role names and unhosted domains', async () => {
    assert.match((await swaks('hostmaster@shop.test', 'x')).out, /<\*\* 550 5\.1\.1 No such user/);
    assert.match((await swaks('postmaster@elsewhere.test', 'x')).out, /<\*\* 550 5\.7\.1 Relaying denied/);
  });
});
