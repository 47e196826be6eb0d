// Port 25 with DNS blocklists (DNSBL_ZONES) asked at connect through the test
// DNS server, and with greylisting (GREYLIST=true): real sockets, exact
// replies. The clients connect from two loopback addresses: 127.0.0.1 is
// listed in one zone, 127.0.9.2 in none.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { RawSmtp } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { reversedAddress } from '../../mail-daemon/spam/dnsbl.ts';
import { clientNetwork, greylistWait } from '../../mail-daemon/spam/greylist.ts';

const UNLISTED = '127.0.9.2';

describe('DNS blocklists at connect', () => {
  let daemon: TestDaemon;
  let dns: TestDnsServer;

  before(async () => {
    dns = await startTestDnsServer({
      '1.0.0.127.bl.test': { A: ['127.0.0.2'], TXT: ['Listed for spam traps, see http://bl.test/lookup?127.0.0.1'] },
      // What some lists answer a query they refuse: not a listing.
      '1.0.0.127.refusing.test': { A: ['127.255.255.254'] },
    });
    daemon = await startTestDaemon('sqlite', [smtpService], { DNS_SERVERS: dns.address, DNSBL_ZONES: 'refusing.test,clean.test,bl.test' });
    await addTestAccounts(daemon.context.store, 'example.test', ['alice']);
  });
  after(async () => {
    await daemon.dispose();
    await dns.close();
  });

  it('refuses a listed client with 554 naming the list, its code and its reason', async () => {
    const raw = await RawSmtp.open(daemon.port('smtp'));
    assert.equal(await raw.reply(), '554 5.7.1 Service unavailable; client [127.0.0.1] listed in bl.test (127.0.0.2): Listed for spam traps, see http://bl.test/lookup?127.0.0.1');
    raw.close();
    for (const zone of ['refusing.test', 'clean.test', 'bl.test']) assert.ok(dns.queries.includes(`1.0.0.127.${zone} A`), `asked ${zone}`);
  });

  it('greets a client listed nowhere', async () => {
    const raw = await RawSmtp.open(daemon.port('smtp'), '127.0.0.1', UNLISTED);
    assert.match(await raw.reply(), /^220 mail\.example\.test ESMTP/);
    assert.match(await raw.command('EHLO client.remote.test'), /^250/);
    raw.close();
    assert.ok(dns.queries.includes('2.9.0.127.bl.test A'));
  });

  it('reverses IPv4 by octets and IPv6 by nibbles (RFC 5782 2.1, 2.4)', () => {
    assert.equal(reversedAddress('192.0.2.99'), '99.2.0.192');
    assert.equal(reversedAddress('::ffff:192.0.2.99'), '99.2.0.192');
    assert.equal(reversedAddress('2001:db8:1:2:3:4:567:89ab'), 'b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2');
    assert.equal(reversedAddress('not an address'), null);
  });
});

describe('greylisting', () => {
  let daemon: TestDaemon;
  let dns: TestDnsServer;

  before(async () => {
    dns = await startTestDnsServer({});
    daemon = await startTestDaemon('sqlite', [smtpService], { DNS_SERVERS: dns.address, GREYLIST: 'true', GREYLIST_DELAY: '1h' });
    await addTestAccounts(daemon.context.store, 'example.test', ['alice', 'bob']);
  });
  after(async () => {
    await daemon.dispose();
    await dns.close();
  });

  async function rcpt(from: string, to: string): Promise<string> {
    const raw = await RawSmtp.open(daemon.port('smtp'), '127.0.0.1', UNLISTED);
    await raw.reply();
    await raw.command('EHLO client.remote.test');
    assert.match(await raw.command(`MAIL FROM:<${from}>`), /^250/);
    const reply = await raw.command(`RCPT TO:<${to}>`);
    await raw.command('QUIT');
    raw.close();
    return reply;
  }

  it('answers a first-time triple 451 4.7.1 until the delay has passed, then lets it and its retries through', async () => {
    assert.match(await rcpt('news@remote.test', 'alice@example.test'), /^451 4\.7\.1 Greylisted: first mail from your network to this address, please retry in 3[56]\d\d seconds$/);
    assert.match(await rcpt('news@remote.test', 'alice@example.test'), /^451 4\.7\.1 Greylisted/, 'too early a retry waits on');
    // The hour passes: the entry is made an hour older.
    const prisma = daemon.context.store.database.prisma;
    const key = `${clientNetwork(UNLISTED)} news@remote.test alice@example.test`;
    await prisma.greylistEntry.update({ where: { key }, data: { firstSeen: new Date(Date.now() - 3_600_001) } });
    assert.match(await rcpt('news@remote.test', 'alice@example.test'), /^250 /);
    assert.match(await rcpt('news@remote.test', 'alice@example.test'), /^250 /, 'once passed, the triple stays passed');
    // Another recipient, or another sender, is another triple.
    assert.match(await rcpt('news@remote.test', 'bob@example.test'), /^451 4\.7\.1 /);
    assert.match(await rcpt('other@remote.test', 'alice@example.test'), /^451 4\.7\.1 /);
  });

  it('ends a session with 421 after as many greylisted recipients as a transaction may carry (100)', async () => {
    const raw = await RawSmtp.open(daemon.port('smtp'), '127.0.0.1', UNLISTED);
    await raw.reply();
    await raw.command('EHLO client.remote.test');
    assert.match(await raw.command('MAIL FROM:<many@remote.test>'), /^250/);
    const replies = [];
    for (let i = 0; i < 100; i++) replies.push(await raw.command(`RCPT TO:<harvest${i}@example.test>`));
    assert.deepEqual(replies.filter((reply) => !reply.startsWith('451 4.7.1 Greylisted')), []);
    assert.equal(await raw.command('RCPT TO:<harvest100@example.test>'), '421 4.7.0 Too many greylisted recipients, closing connection');
    raw.close();
  });

  it('forgets a triple that never came back after a day, and one that passed after 36 days', async () => {
    const prisma = daemon.context.store.database.prisma;
    // Past the once-a-minute pace of the clearing, whatever the tests before did.
    const now = Date.now() + 10 * 60_000;
    const daysAgo = (days: number) => new Date(now - days * 86_400_000);
    await prisma.greylistEntry.createMany({
      data: [
        { key: 'old unpassed', firstSeen: daysAgo(2) },
        { key: 'fresh unpassed', firstSeen: daysAgo(0.5) },
        { key: 'passed lately', firstSeen: daysAgo(40), passedAt: daysAgo(2) },
        { key: 'passed long ago', firstSeen: daysAgo(40), passedAt: daysAgo(37) },
      ],
    });
    assert.ok((await greylistWait(daemon.context.store, 3600_000, { ip: UNLISTED, mailFrom: 'first@remote.test', rcptTo: 'alice@example.test' }, new Date(now))) > 0);
    const left = await prisma.greylistEntry.findMany({ where: { key: { in: ['old unpassed', 'fresh unpassed', 'passed lately', 'passed long ago'] } }, select: { key: true } });
    assert.deepEqual(left.map((entry) => entry.key).sort(), ['fresh unpassed', 'passed lately']);
  });

  it('counts a client by its /24 or /64', () => {
    assert.equal(clientNetwork('192.0.2.99'), '192.0.2.0/24');
    assert.equal(clientNetwork('::ffff:192.0.2.99'), '192.0.2.0/24');
    assert.equal(clientNetwork('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(clientNetwork('2001:db8::1'), '2001:db8:0:0::/64');
  });
});
