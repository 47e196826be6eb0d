// The domain functions behind the web's account pages: app passwords and
// TOTP in the one login check, first-run setup and signup, settings,
// filters, the RFC 3834 vacation rules, domain administrators and DNS checks.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestStore, ENGINES, type TestStore } from '../support/databases.ts';
import { addTestAccounts, inboxOf, TEST_PASSWORD } from '../support/accounts.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { authenticate } from '../../mail-daemon/accounts/accounts.ts';
import { createAppPassword, listAppPasswords, revokeAppPassword } from '../../mail-daemon/accounts/app-passwords.ts';
import { confirmTwoFactor, currentCode, disableTwoFactor, startTwoFactorSetup, verifySignInCode, verifyTwoFactorCode } from '../../mail-daemon/accounts/totp.ts';
import { RECOVERY_CODE_COUNT, replaceRecoveryCodes, unusedRecoveryCodes } from '../../mail-daemon/accounts/recovery-codes.ts';
import { needsSetup, runFirstSetup, signUp, signupDomains } from '../../mail-daemon/accounts/signup.ts';
import { getSettings, setForwarding, setVacation, updateProfile } from '../../mail-daemon/settings/account-settings.ts';
import { addFilter, applyFilters, listFilters } from '../../mail-daemon/settings/filters.ts';
import { vacationReplyFor } from '../../mail-daemon/settings/vacation.ts';
import { deliveryRulesFor } from '../../mail-daemon/settings/delivery-rules.ts';
import { addDomain, rotateDkimKey } from '../../mail-daemon/domains/domains.ts';
import { addDomainAdmin, administeredDomains, administers, grantDomainAdmin, listDomainAdmins, revokeDomainAdmin } from '../../mail-daemon/domains/domain-admins.ts';
import { dnsRecordsFor } from '../../mail-daemon/domains/dns-records.ts';
import { mtaStsId, mtaStsPolicy, policyDomainOf } from '../../mail-daemon/domains/mta-sts.ts';
import { loadConfig } from '../../mail-daemon/config/config.ts';
import { checkDnsRecords } from '../../mail-daemon/domains/dns-check.ts';
import { generateDkimKey } from '../../mail-daemon/domains/dkim.ts';
import { createMailResolver } from '../../mail-daemon/dns/resolver.ts';
import { ValidationError } from '../../mail-daemon/errors/validation-error.ts';

function rejectsField(promise: Promise<unknown>, field: string) {
  return assert.rejects(promise, (error: unknown) => error instanceof ValidationError && error.field === field);
}

for (const engine of ENGINES) {
  describe(`web account features (${engine})`, () => {
    let store: TestStore;
    before(async () => {
      store = await createTestStore(engine);
    });
    after(() => store.dispose());

    it('first-run setup makes the primary domain and the platform admin, once', async () => {
      assert.equal(await needsSetup(store), true);
      await rejectsField(runFirstSetup(store, { domain: 'not a domain', localPart: 'boss', password: TEST_PASSWORD }), 'domain');
      await rejectsField(runFirstSetup(store, { domain: 'primary.test', localPart: 'boss', password: 'short' }), 'password');
      const admin = await runFirstSetup(store, { domain: 'primary.test', localPart: 'boss', password: TEST_PASSWORD });
      assert.equal(admin.role, 'admin');
      assert.equal(await needsSetup(store), false);
      await rejectsField(runFirstSetup(store, { domain: 'other.test', localPart: 'boss', password: TEST_PASSWORD }), 'domain');
      const inbox = await inboxOf(store, admin.id);
      const welcome = await store.database.prisma.message.findMany({ where: { mailboxId: inbox.id } });
      assert.deepEqual(welcome.map((m) => m.subject), ['Welcome to your new mailbox']);
    });

    it('signup only on open domains, never reserved or taken names', async () => {
      await addDomain(store, 'open.test', { verified: true, signupOpen: true });
      await addDomain(store, 'closed.test', { verified: true });
      assert.deepEqual(await signupDomains(store), ['open.test']);
      await rejectsField(signUp(store, { localPart: 'carol', domain: 'closed.test', password: TEST_PASSWORD }), 'domain');
      await rejectsField(signUp(store, { localPart: 'postmaster', domain: 'open.test', password: TEST_PASSWORD }), 'localPart');
      await rejectsField(signUp(store, { localPart: 'bad name', domain: 'open.test', password: TEST_PASSWORD }), 'localPart');
      const carol = await signUp(store, { localPart: 'Carol', domain: 'open.test', password: TEST_PASSWORD });
      assert.equal(carol.address, 'carol@open.test');
      assert.equal(carol.role, 'user');
      await rejectsField(signUp(store, { localPart: 'carol', domain: 'open.test', password: TEST_PASSWORD }), 'localPart');
    });

    it('app passwords work for mail protocols; with 2FA only they do, and the web needs the main password', async () => {
      const [dave] = await addTestAccounts(store, 'apps.test', ['dave']);
      const { password, id } = await createAppPassword(store, dave.id, 'Thunderbird');
      await rejectsField(createAppPassword(store, dave.id, 'thunderbird'), 'name');
      await rejectsField(createAppPassword(store, dave.id, '  '), 'name');
      assert.ok(await authenticate(store, dave.address, TEST_PASSWORD));
      assert.ok(await authenticate(store, dave.address, password));
      assert.ok(await authenticate(store, dave.address, password.toUpperCase()), 'case and spaces do not count');
      assert.equal(await authenticate(store, dave.address, password, { purpose: 'web' }), null);

      const { secret } = await startTwoFactorSetup(store, dave.id, dave.address);
      await rejectsField(confirmTwoFactor(store, dave.id, '000000'), 'code');
      const now = Date.now();
      await confirmTwoFactor(store, dave.id, currentCode(secret, now));
      assert.equal(await verifyTwoFactorCode(store, dave.id, currentCode(secret, now)), false, 'a code is good once');
      assert.equal(await verifyTwoFactorCode(store, dave.id, currentCode(secret, now + 30_000), now + 30_000), true);

      assert.equal(await authenticate(store, dave.address, TEST_PASSWORD), null, '2FA: no main password over IMAP');
      assert.ok(await authenticate(store, dave.address, password));
      assert.ok(await authenticate(store, dave.address, TEST_PASSWORD, { purpose: 'web' }));
      assert.equal((await listAppPasswords(store, dave.id))[0].name, 'Thunderbird');
      assert.ok((await listAppPasswords(store, dave.id))[0].lastUsedAt);
      await revokeAppPassword(store, dave.id, id);
      assert.equal(await authenticate(store, dave.address, password), null);
    });

    it('recovery codes stand in for a TOTP code, each once, until replaced or 2FA is turned off', async () => {
      const [erin] = await addTestAccounts(store, 'recovery.test', ['erin']);
      const { secret } = await startTwoFactorSetup(store, erin.id, erin.address);
      const now = Date.now();
      await confirmTwoFactor(store, erin.id, currentCode(secret, now));
      assert.equal(await unusedRecoveryCodes(store, erin.id), 0);
      const codes = await replaceRecoveryCodes(store, erin.id);
      assert.equal(codes.length, RECOVERY_CODE_COUNT);
      assert.equal(new Set(codes).size, RECOVERY_CODE_COUNT);
      for (const code of codes) assert.match(code, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
      const rows = await store.database.prisma.recoveryCode.findMany({ where: { accountId: erin.id } });
      assert.ok(rows.every((r) => r.codeHash.startsWith('$argon2id$') && !codes.some((c) => r.codeHash.includes(c))), 'kept only as argon2id hashes');

      assert.equal(await verifySignInCode(store, erin.id, codes[0].toUpperCase().replace('-', ' ')), true, 'case, spaces and dashes do not count');
      assert.equal(await verifySignInCode(store, erin.id, codes[0]), false, 'a recovery code is good once');
      assert.equal(await verifySignInCode(store, erin.id, 'abcde-fghjk'), false);
      assert.equal(await unusedRecoveryCodes(store, erin.id), RECOVERY_CODE_COUNT - 1);
      assert.equal(await verifySignInCode(store, erin.id, currentCode(secret, now + 30_000), now + 30_000), true, 'the app still works');

      const fresh = await replaceRecoveryCodes(store, erin.id);
      assert.equal(await verifySignInCode(store, erin.id, codes[1]), false, 'replaced codes no longer work');
      await disableTwoFactor(store, erin.id);
      assert.equal(await unusedRecoveryCodes(store, erin.id), 0);
      assert.equal(await verifySignInCode(store, erin.id, fresh[0]), false);
    });

    it('delivery rules come from the settings and the filters, either of which may be missing', async () => {
      const [frank, gina] = await addTestAccounts(store, 'rules.test', ['frank', 'gina']);
      const message = { from: 'x@news.example', to: frank.address, subject: '[list] news' };
      const none = { keepLocal: true, folder: null, flags: [], forwardTo: null, vacation: false };
      assert.deepEqual(await deliveryRulesFor(store, frank.id, message), none, 'no settings, no filters');
      await addFilter(store, frank.id, { field: 'subject', value: '[list]', action: 'read' });
      await addFilter(store, frank.id, { field: 'from', value: '@news.example', action: 'move', folder: 'Archive' });
      assert.deepEqual(await deliveryRulesFor(store, frank.id, message), { ...none, folder: 'Archive', flags: ['\\Seen'] }, 'filters, no settings');
      await setForwarding(store, gina, 'gina@elsewhere.example', true);
      assert.deepEqual(await deliveryRulesFor(store, gina.id, message), { ...none, forwardTo: 'gina@elsewhere.example' }, 'settings, no filters');
    });

    it('settings, filters and forwarding validate their input', async () => {
      const [erin] = await addTestAccounts(store, 'settings.test', ['erin']);
      await updateProfile(store, erin.id, { displayName: 'Erin E', signature: '-- \nErin' });
      assert.equal((await getSettings(store, erin.id)).signature, '-- \nErin');
      await rejectsField(updateProfile(store, erin.id, { displayName: 'x'.repeat(201), signature: '' }), 'displayName');
      await rejectsField(setForwarding(store, erin, 'not an address', true), 'forwardTo');
      await rejectsField(setForwarding(store, erin, erin.address, true), 'forwardTo');
      await setForwarding(store, erin, 'erin@elsewhere.example', false);
      assert.equal((await getSettings(store, erin.id)).forwardTo, 'erin@elsewhere.example');
      await rejectsField(addFilter(store, erin.id, { field: 'from', value: 'x', action: 'move', folder: 'Nope' }), 'folder');
      await rejectsField(addFilter(store, erin.id, { field: 'subject', value: ' ', action: 'read' }), 'value');
      await addFilter(store, erin.id, { field: 'from', value: '@news.example', action: 'move', folder: 'Archive' });
      await addFilter(store, erin.id, { field: 'subject', value: '[list]', action: 'read' });
      const filters = await listFilters(store, erin.id);
      assert.deepEqual(applyFilters(filters, { from: 'Daily@News.example', to: erin.address, subject: '[list] hi' }), { folder: 'Archive', seen: true });
      assert.deepEqual(applyFilters(filters, { from: 'friend@example.org', to: erin.address, subject: 'hi' }), { folder: null, seen: false });
      assert.deepEqual(await deliveryRulesFor(store, erin.id, { from: 'x@news.example', to: erin.address, subject: '[list] news' }), {
        keepLocal: false,
        folder: 'Archive',
        flags: ['\\Seen'],
        forwardTo: 'erin@elsewhere.example',
        vacation: false,
      });
      await setForwarding(store, erin, 'erin@elsewhere.example', true);
      assert.equal((await deliveryRulesFor(store, erin.id, { from: '', to: '', subject: '' })).keepLocal, true);
    });

    it('vacation replies follow RFC 3834: once per sender, never to <>, lists or automatic mail', async () => {
      const [frank] = await addTestAccounts(store, 'vacation.test', ['frank']);
      const mail = (headers: string) => Buffer.from(`From: a@example.org\r\nTo: frank@vacation.test\r\nSubject: hi\r\nMessage-ID: <m1@example.org>\r\n${headers}\r\nbody\r\n`);
      const message = { mailFrom: 'a@example.org', raw: mail('') };
      assert.equal(await vacationReplyFor(store, frank, message), null, 'off by default');
      await rejectsField(setVacation(store, frank.id, { enabled: true, subject: '', body: 'away', start: null, end: null }), 'vacationSubject');
      await rejectsField(setVacation(store, frank.id, { enabled: true, subject: 'Away', body: 'x', start: new Date(2030, 1, 2), end: new Date(2030, 1, 1) }), 'vacationEnd');
      await setVacation(store, frank.id, { enabled: true, subject: 'Away', body: 'Back on Monday.', start: null, end: null });
      const reply = await vacationReplyFor(store, frank, message);
      assert.ok(reply);
      assert.equal(reply.mailFrom, '');
      assert.equal(reply.rcptTo, 'a@example.org');
      assert.match(reply.raw.toString(), /Auto-Submitted: auto-replied/);
      assert.match(reply.raw.toString(), /In-Reply-To: <m1@example.org>/);
      assert.equal(await vacationReplyFor(store, frank, message), null, 'once per sender per period');
      assert.ok(await vacationReplyFor(store, frank, message, new Date(Date.now() + 5 * 24 * 3600_000)), 'again after the period');
      // A new sender, eleven days on: the senders answered before the period are forgotten.
      assert.ok(await vacationReplyFor(store, frank, { mailFrom: 'g@example.org', raw: mail('') }, new Date(Date.now() + 11 * 24 * 3600_000)));
      const kept = await store.database.prisma.vacationReply.findMany({ where: { accountId: frank.id }, select: { sender: true } });
      assert.deepEqual(kept.map((row) => row.sender), ['g@example.org']);
      assert.equal(await vacationReplyFor(store, frank, { mailFrom: '', raw: mail('') }), null);
      assert.equal(await vacationReplyFor(store, frank, { mailFrom: 'b@example.org', raw: mail('List-Id: <l.example.org>') }), null);
      assert.equal(await vacationReplyFor(store, frank, { mailFrom: 'c@example.org', raw: mail('Precedence: bulk') }), null);
      assert.equal(await vacationReplyFor(store, frank, { mailFrom: 'd@example.org', raw: mail('Auto-Submitted: auto-generated') }), null);
      assert.equal(await vacationReplyFor(store, frank, { mailFrom: 'owner-list@example.org', raw: mail('') }), null);
      const bcc = Buffer.from('From: e@example.org\r\nTo: someone@example.org\r\nSubject: x\r\n\r\nbody\r\n');
      assert.equal(await vacationReplyFor(store, frank, { mailFrom: 'e@example.org', raw: bcc }), null, 'not addressed to frank');
      await setVacation(store, frank.id, { enabled: true, subject: 'Away', body: 'x', start: new Date(Date.now() + 86400_000), end: null });
      assert.equal(await vacationReplyFor(store, frank, { mailFrom: 'f@example.org', raw: mail('') }), null, 'not started yet');
    });

    it('domain administrators: platform admins, the domain admin role, and listed accounts', async () => {
      const [grace, henry] = await addTestAccounts(store, 'admins.test', ['grace', 'henry']);
      await store.database.prisma.account.update({ where: { id: grace.id }, data: { role: 'domain_admin' } });
      const added = await addDomain(store, 'added-by-henry.test');
      await addDomainAdmin(store, added.id, henry.id);
      const own = await store.database.prisma.domain.findUniqueOrThrow({ where: { name: 'admins.test' } });
      assert.equal(await administers(store, { ...grace, role: 'domain_admin' }, own), true);
      assert.equal(await administers(store, henry, own), false);
      assert.equal(await administers(store, henry, added), true);
      assert.deepEqual((await administeredDomains(store, henry)).map((d) => d.name), ['added-by-henry.test']);
    });

    it('a domain admin by role loses the role when removed, and the last admin stays', async () => {
      assert.deepEqual(await listDomainAdmins(store, 'admins.test'), ['grace@admins.test']);
      await rejectsField(revokeDomainAdmin(store, 'admins.test', 'grace@admins.test'), 'address');
      await grantDomainAdmin(store, 'admins.test', 'henry@admins.test');
      await revokeDomainAdmin(store, 'admins.test', 'grace@admins.test');
      assert.deepEqual(await listDomainAdmins(store, 'admins.test'), ['henry@admins.test']);
      const grace = await store.database.prisma.account.findUniqueOrThrow({ where: { address: 'grace@admins.test' } });
      assert.equal(grace.role, 'user');
      assert.equal(await administers(store, grace, { id: grace.domainId }), false);
    });

    it('DKIM rotation gives a new selector even twice within a minute', async () => {
      const first = await addDomain(store, 'rotate.test', { verified: true });
      const second = await rotateDkimKey(store, 'rotate.test');
      const third = await rotateDkimKey(store, 'rotate.test');
      const selectors = new Set([first.dkimSelector, second.dkimSelector, third.dkimSelector]);
      assert.equal(selectors.size, 3);
      assert.notEqual(second.dkimPublicKey, first.dkimPublicKey);
    });
  });
}

describe('Check DNS', () => {
  let dns: TestDnsServer;
  before(async () => {
    dns = await startTestDnsServer({});
  });
  after(() => dns.close());

  it('says found, missing or different per record', async () => {
    const { publicKey } = await generateDkimKey();
    const domain = { name: 'dns.test', verifyToken: 'abc', dkimSelector: 'sel', dkimPublicKey: publicKey };
    const records = dnsRecordsFor(domain, loadConfig({ MAIL_HOSTNAME: 'mail.dns.test' }));
    dns.zone['dns.test'] = { TXT: ['mail-verify=abc', 'v=spf1 a -all'], MX: [{ priority: 10, exchange: 'mail.dns.test' }] };
    const checks = await checkDnsRecords(createMailResolver([dns.server]), records);
    const byPurpose = Object.fromEntries(checks.map((c) => [c.purpose, c]));
    assert.equal(byPurpose.Ownership.status, 'found');
    assert.equal(byPurpose.MX.status, 'found');
    assert.equal(byPurpose.SPF.status, 'different');
    assert.deepEqual(byPurpose.SPF.found, ['v=spf1 a -all']);
    assert.equal(byPurpose.DKIM.status, 'missing');
    assert.equal(byPurpose.DMARC.status, 'missing');
  });

  it('publishes MTA-STS (RFC 8461) and TLS-RPT (RFC 8460); the id changes with the policy', async () => {
    const domain = { name: 'sts.test', verifyToken: 't', dkimSelector: 's', dkimPublicKey: (await generateDkimKey()).publicKey };
    const byPurpose = (host: string) => Object.fromEntries(dnsRecordsFor(domain, loadConfig({ MAIL_HOSTNAME: host })).map((r) => [r.purpose, r]));
    const records = byPurpose('mx.sts.test');
    assert.deepEqual([records['MTA-STS'].name, records['MTA-STS'].type], ['_mta-sts.sts.test', 'TXT']);
    assert.match(records['MTA-STS'].value, /^v=STSv1; id=[0-9a-f]{20}$/);
    assert.equal(records['MTA-STS'].value, `v=STSv1; id=${mtaStsId(mtaStsPolicy('mx.sts.test'))}`);
    assert.notEqual(byPurpose('other.sts.test')['MTA-STS'].value, records['MTA-STS'].value);
    assert.deepEqual([records['MTA-STS policy host'].name, records['MTA-STS policy host'].value], ['mta-sts.sts.test', 'mx.sts.test.']);
    assert.deepEqual([records['TLS-RPT'].name, records['TLS-RPT'].value], ['_smtp._tls.sts.test', 'v=TLSRPTv1; rua=mailto:postmaster@sts.test']);
    assert.equal(mtaStsPolicy('mx.sts.test'), 'version: STSv1\r\nmode: testing\r\nmx: mx.sts.test\r\nmax_age: 604800\r\n');
    assert.equal(policyDomainOf('MTA-STS.Sts.Test:443'), 'sts.test');
    assert.equal(policyDomainOf('sts.test'), null);
    assert.equal(policyDomainOf(null), null);
  });

  it('publishes SRV records for the client ports that are on, with their numbers', async () => {
    const domain = { name: 'ports.test', verifyToken: 't', dkimSelector: 's', dkimPublicKey: (await generateDkimKey()).publicKey };
    const srv = (env: Record<string, string>) =>
      dnsRecordsFor(domain, loadConfig({ MAIL_HOSTNAME: 'mx.ports.test', ...env }))
        .filter((r) => r.type === 'SRV')
        .map((r) => `${r.name} ${r.value}`);
    assert.deepEqual(srv({}), ['_imaps._tcp.ports.test 0 1 993 mx.ports.test.', '_pop3s._tcp.ports.test 0 1 995 mx.ports.test.', '_submissions._tcp.ports.test 0 1 465 mx.ports.test.']);
    assert.deepEqual(srv({ IMAPS_PORT: '10993', POP3S_PORT: 'off', POP3_PORT: 'off', SUBMISSIONS_PORT: 'off' }), [
      '_imaps._tcp.ports.test 0 1 10993 mx.ports.test.',
      '_submission._tcp.ports.test 0 1 587 mx.ports.test.',
    ]);
  });

  it('compares CNAME and SRV records by host name, without the final dot or case', async () => {
    const domain = { name: 'srv.test', verifyToken: 't', dkimSelector: 's', dkimPublicKey: (await generateDkimKey()).publicKey };
    const records = dnsRecordsFor(domain, loadConfig({ MAIL_HOSTNAME: 'mail.srv.test' })).filter((r) => r.type === 'CNAME' || r.type === 'SRV');
    const answers: Record<string, unknown[]> = {
      'autoconfig.srv.test CNAME': ['Mail.Srv.Test'],
      '_imaps._tcp.srv.test SRV': [{ priority: 0, weight: 1, port: 993, name: 'mail.srv.test' }],
      '_pop3s._tcp.srv.test SRV': [{ priority: 0, weight: 1, port: 1995, name: 'mail.srv.test' }],
    };
    const resolver = {
      async resolve(name: string, type: string) {
        if (name.startsWith('_submissions')) throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
        const answer = answers[`${name} ${type}`];
        if (!answer) throw Object.assign(new Error('no data'), { code: 'ENODATA' });
        return answer;
      },
    } as unknown as Parameters<typeof checkDnsRecords>[0];
    const statuses = (await checkDnsRecords(resolver, records)).map((c) => [c.name, c.status, c.found.join()]);
    assert.deepEqual(statuses, [
      ['mta-sts.srv.test', 'missing', ''],
      ['autoconfig.srv.test', 'found', 'Mail.Srv.Test'],
      ['_imaps._tcp.srv.test', 'found', '0 1 993 mail.srv.test'],
      ['_pop3s._tcp.srv.test', 'different', '0 1 1995 mail.srv.test'],
      ['_submissions._tcp.srv.test', 'error', 'timeout'],
    ]);
  });
});
