// The queue's pieces on their own: the retry plan, the notice format, the
// mail routes found through the test DNS server, and the per-domain limiter.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { planRetry } from '../../mail-daemon/queue/retry-policy.ts';
import { buildDeliveryStatusNotice } from '../../mail-daemon/queue/delivery-status-notice.ts';
import { findMailRoute } from '../../mail-daemon/queue/mail-routes.ts';
import { DomainLimiter } from '../../mail-daemon/queue/domain-limiter.ts';
import { replyStatus } from '../../mail-daemon/queue/smtp-delivery.ts';
import { dotStuffed } from '../../mail-daemon/queue/smtp-client.ts';
import { createMailResolver, type MailResolver } from '../../mail-daemon/dns/resolver.ts';
import { SmtpSessionCache } from '../../mail-daemon/queue/smtp-session-cache.ts';
import type { SmtpClient } from '../../mail-daemon/queue/smtp-client.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { buildMessage } from '../support/messages.ts';
import { parseNotice } from './queue-fixture.ts';

const MIN = 60_000;
const policy = { retrySchedule: [15 * MIN, 30 * MIN, 60 * MIN], warnAfter: 240 * MIN, giveUpAfter: 5 * 1440 * MIN };
const created = new Date('2026-11-20T10:00:00Z');
const at = (minutes: number) => new Date(created.getTime() + minutes * MIN);

describe('retry plan', () => {
  it('waits by the schedule, repeating its last step', () => {
    const plan = (attempts: number, now: number) => planRetry({ createdAt: created, attempts, delayNotified: false }, policy, at(now));
    assert.deepEqual(plan(0, 0), { giveUp: false, nextAttemptAt: at(15), sendDelayNotice: false, willRetryUntil: at(7200) });
    assert.equal((plan(1, 15) as { nextAttemptAt: Date }).nextAttemptAt.getTime(), at(45).getTime());
    assert.equal((plan(2, 45) as { nextAttemptAt: Date }).nextAttemptAt.getTime(), at(105).getTime());
    assert.equal((plan(9, 105) as { nextAttemptAt: Date }).nextAttemptAt.getTime(), at(165).getTime());
  });

  it('tries again when the warning is due, and warns once', () => {
    const before = planRetry({ createdAt: created, attempts: 5, delayNotified: false }, policy, at(220));
    assert.equal(before.giveUp || before.nextAttemptAt.getTime(), at(240).getTime(), 'the attempt lands on the warning time');
    const due = planRetry({ createdAt: created, attempts: 6, delayNotified: false }, policy, at(240));
    assert.equal(!due.giveUp && due.sendDelayNotice, true);
    const after = planRetry({ createdAt: created, attempts: 7, delayNotified: true }, policy, at(300));
    assert.equal(!after.giveUp && after.sendDelayNotice, false);
  });

  it('makes the last attempt at the give-up time and gives up from then on', () => {
    const late = planRetry({ createdAt: created, attempts: 40, delayNotified: true }, policy, at(7190));
    assert.equal(!late.giveUp && late.nextAttemptAt.getTime(), at(7200).getTime());
    assert.deepEqual(planRetry({ createdAt: created, attempts: 41, delayNotified: true }, policy, at(7200)), { giveUp: true });
  });
});

describe('delivery status notice', () => {
  const original = buildMessage({ subject: 'Quarterly report', from: 'alice@example.test', body: 'secret body\n' });

  it('is multipart/report with the three parts of RFC 3464 and RFC 6522', async () => {
    const raw = buildDeliveryStatusNotice({
      kind: 'bounce',
      hostname: 'mail.example.test',
      sender: 'alice@example.test',
      original,
      arrivalDate: new Date('2026-11-20T10:00:00Z'),
      now: new Date('2026-11-20T10:05:00Z'),
      recipients: [
        { address: 'bob@remote.test', action: 'failed', status: '5.1.1', detail: '', reply: `550 5.1.1 ${'very long reason '.repeat(8)}`, remoteMta: 'mx.remote.test', lastAttemptAt: new Date('2026-11-20T10:05:00Z') },
        { address: 'eve@nullmx.test', action: 'failed', status: '5.1.10', detail: 'domain nullmx.test accepts no mail (null MX)', reply: null, remoteMta: null, lastAttemptAt: new Date('2026-11-20T10:05:00Z') },
      ],
    });
    const text = raw.toString('utf8');
    assert.match(text, /^Auto-Submitted: auto-replied\r$/m);
    assert.ok(text.split('\r\n').every((line) => line.length <= 998), 'RFC 5322 line limit');
    const notice = await parseNotice(raw);
    assert.equal(notice.reportType, 'multipart/report; delivery-status');
    assert.equal(notice.perMessage.get('arrival-date'), 'Fri, 20 Nov 2026 10:00:00 +0000');
    assert.equal(notice.perRecipient.length, 2);
    assert.equal(notice.perRecipient[0].get('diagnostic-code'), `smtp; 550 5.1.1 ${'very long reason '.repeat(8).trim()}`, 'folded and unfolded back');
    assert.equal(notice.perRecipient[0].get('last-attempt-date'), 'Fri, 20 Nov 2026 10:05:00 +0000');
    assert.equal(notice.perRecipient[1].get('diagnostic-code'), 'X-Outbound-Queue; domain nullmx.test accepts no mail (null MX)');
    assert.equal(notice.perRecipient[1].has('remote-mta'), false);
    assert.match(notice.human, /Quarterly report/);
    assert.match(notice.originalHeaders, /^Subject: Quarterly report\r$/m);
    assert.doesNotMatch(text, /secret body/, 'the original body is not returned');
  });

  it('keeps a hostile reply from adding fields', async () => {
    const raw = buildDeliveryStatusNotice({
      kind: 'delay',
      hostname: 'mail.example.test',
      sender: 'alice@example.test',
      original,
      arrivalDate: new Date(),
      willRetryUntil: new Date('2026-11-25T10:00:00Z'),
      recipients: [{ address: 'bob@remote.test', action: 'delayed', status: '4.0.0', detail: '', reply: '450 busy\r\nAction: delivered', remoteMta: 'mx.remote.test', lastAttemptAt: new Date() }],
    });
    const notice = await parseNotice(raw);
    assert.equal(notice.perRecipient[0].get('action'), 'delayed');
    assert.equal(notice.perRecipient[0].get('will-retry-until'), 'Wed, 25 Nov 2026 10:00:00 +0000');
  });
});

describe('replies to status codes', () => {
  it('takes the enhanced code of a reply or derives one from its class', () => {
    assert.equal(replyStatus('550 5.1.1 no such user'), '5.1.1');
    assert.equal(replyStatus('451-4.7.1 greylisted'), '4.7.1');
    assert.equal(replyStatus('554 go away'), '5.0.0');
    assert.equal(replyStatus('421 closing'), '4.0.0');
    assert.equal(replyStatus('250 ok queued as 12'), '2.0.0');
  });
});

describe('message content on the wire (RFC 5321 4.5.2)', () => {
  const wire = (text: string) => Buffer.concat(dotStuffed(Buffer.from(text, 'latin1'))).toString('latin1');
  it('doubles a dot that starts a line, the first one too, and ends with CRLF . CRLF', () => {
    assert.equal(wire('.first\r\nmiddle\r\n.\r\n..two\r\nend\r\n'), '..first\r\nmiddle\r\n..\r\n...two\r\nend\r\n.\r\n');
    assert.equal(wire('no dots. here\r\n'), 'no dots. here\r\n.\r\n');
    assert.equal(wire('no final line end'), 'no final line end\r\n.\r\n');
  });
});

describe('mail routes through DNS', () => {
  let dns: TestDnsServer;
  let resolver: MailResolver;
  before(async () => {
    dns = await startTestDnsServer({
      'ordered.test': {
        MX: [
          { priority: 30, exchange: 'c.ordered.test' },
          { priority: 10, exchange: 'a.ordered.test' },
          { priority: 20, exchange: 'b1.ordered.test' },
          { priority: 20, exchange: 'b2.ordered.test' },
          { priority: 40, exchange: 'gone.ordered.test' },
        ],
        TXT: ['v=spf1 ' + 'ip4:192.0.2.1 '.repeat(60) + '-all'],
      },
      'a.ordered.test': { A: ['192.0.2.1'], AAAA: ['2001:db8::1'] },
      'b1.ordered.test': { A: ['192.0.2.21'] },
      'b2.ordered.test': { A: ['192.0.2.22'] },
      'c.ordered.test': { AAAA: ['2001:db8::3'] },
      'plain.test': { A: ['192.0.2.9'] },
      'empty.test': {},
      'dangling.test': { MX: [{ priority: 10, exchange: 'nowhere.dangling.test' }] },
      'nullmx.test': { MX: [{ priority: 0, exchange: '.' }] },
      'broken.test': { servfail: true },
      'halfbroken.test': { MX: [{ priority: 10, exchange: 'broken.test' }] },
      'many.test': { MX: Array.from({ length: 40 }, (_, i) => ({ priority: i, exchange: `a-rather-long-mail-host-name-${i}.many.test` })) },
    });
    resolver = createMailResolver([dns.server], { timeoutMs: 1000, tries: 1 });
  });
  after(() => dns.close());

  it('orders MX hosts by preference, with their IPv4 then IPv6 addresses, and skips hosts without any', async () => {
    const route = await findMailRoute(resolver, 'ordered.test');
    assert.equal(route.kind, 'hosts');
    if (route.kind !== 'hosts') return;
    assert.deepEqual(route.hosts[0], { name: 'a.ordered.test', addresses: ['192.0.2.1', '2001:db8::1'] });
    assert.deepEqual(route.hosts.slice(1, 3).map((h) => h.name).sort(), ['b1.ordered.test', 'b2.ordered.test']);
    assert.deepEqual(route.hosts[3], { name: 'c.ordered.test', addresses: ['2001:db8::3'] });
    assert.equal(route.hosts.length, 4, 'gone.ordered.test has no address');
  });

  it('uses the domain itself when it has no MX (RFC 5321 5.1)', async () => {
    assert.deepEqual(await findMailRoute(resolver, 'plain.test'), { kind: 'hosts', hosts: [{ name: 'plain.test', addresses: ['192.0.2.9'] }] });
  });

  it('fails for good on a null MX, a missing domain, no MX and no address, and MX hosts without addresses', async () => {
    const status = async (domain: string) => {
      const route = await findMailRoute(resolver, domain);
      return route.kind === 'hosts' ? 'hosts' : `${route.kind} ${route.status}`;
    };
    assert.equal(await status('nullmx.test'), 'permanent 5.1.10');
    assert.equal(await status('missing.test'), 'permanent 5.1.2');
    assert.equal(await status('empty.test'), 'permanent 5.1.2');
    assert.equal(await status('dangling.test'), 'permanent 5.4.4');
  });

  it('fails for now when the DNS does not answer', async () => {
    const route = await findMailRoute(resolver, 'broken.test');
    assert.equal(route.kind, 'temporary');
    const half = await findMailRoute(resolver, 'halfbroken.test');
    assert.equal(half.kind === 'temporary' && half.status, '4.4.3');
  });

  it('reads a long MX answer over TCP after a truncated UDP answer', async () => {
    const records = await resolver.resolveMx('many.test');
    assert.equal(records.length, 40);
    assert.deepEqual(records[39], { priority: 39, exchange: 'a-rather-long-mail-host-name-39.many.test' });
  });

  it('answers a long TXT record over TCP after a truncated UDP answer', async () => {
    const [record] = await resolver.resolveTxt('ordered.test');
    assert.ok(record.join('').startsWith('v=spf1 ip4:192.0.2.1'));
    assert.equal(record.join('').length, 'v=spf1 '.length + 'ip4:192.0.2.1 '.length * 60 + '-all'.length);
  });
});

describe('MX answers that cannot be trusted', () => {
  // A DNS server that answers every MX question with a broken packet, chosen by the name asked.
  let server: dgram.Socket;
  let resolver: MailResolver;
  before(async () => {
    server = dgram.createSocket('udp4');
    server.on('message', (query, peer) => {
      const questionEnd = 12 + query.subarray(12).indexOf(0) + 5;
      const name = query.subarray(13, questionEnd - 5).toString('latin1');
      const header = Buffer.from(query.subarray(0, 12));
      header.writeUInt16BE(0x8180, 2); // a response, no error
      header.writeUInt16BE(name.startsWith('many') ? 5 : 1, 6); // answers announced
      const record = Buffer.alloc(16);
      record.writeUInt16BE(0xc00c, 0); // owner: the question's name
      record.writeUInt16BE(15, 2);
      record.writeUInt16BE(1, 4);
      record.writeUInt32BE(60, 6);
      record.writeUInt16BE(name.startsWith('long') ? 200 : 4, 10); // data length
      record.writeUInt16BE(10, 12); // preference
      // The exchange: a pointer to itself, a name that never ends.
      record.writeUInt16BE(0xc000 | (questionEnd + 14), 14);
      server.send(Buffer.concat([header, query.subarray(12, questionEnd), record]), peer.port, peer.address);
    });
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    resolver = createMailResolver([{ host: '127.0.0.1', port: server.address().port }], { timeoutMs: 1000, tries: 1 });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fails for now, without hanging, on a name pointer loop, data past the packet and missing answers', async () => {
    for (const domain of ['loop.test', 'long.test', 'many.test']) {
      await assert.rejects(resolver.resolveMx(domain), (error: NodeJS.ErrnoException) => error.code === 'EBADRESP', domain);
      const route = await findMailRoute(resolver, domain);
      assert.deepEqual([route.kind, route.kind === 'temporary' && route.status], ['temporary', '4.4.3'], domain);
    }
  });
});

describe('DNS answers kept by the outbound queue', () => {
  let dns: TestDnsServer;
  let resolver: MailResolver;
  before(async () => {
    dns = await startTestDnsServer({
      'kept.test': { MX: [{ priority: 10, exchange: 'mx.kept.test' }] },
      'mx.kept.test': { A: ['192.0.2.31'] },
      'short.test': { MX: [{ priority: 10, exchange: 'mx.short.test' }], ttl: 0 },
      'mx.short.test': { A: ['192.0.2.32'] },
      'shortaddress.test': { MX: [{ priority: 10, exchange: 'mx.shortaddress.test' }] },
      'mx.shortaddress.test': { A: ['192.0.2.33'], ttl: 0 },
      'broken.test': { servfail: true },
    });
    resolver = createMailResolver([dns.server], { timeoutMs: 1000, tries: 1, cacheMs: 60_000 });
  });
  after(() => dns.close());
  const asked = (question: string) => dns.queries.filter((q) => q === question).length;

  it('asks once for the MX and the addresses of a destination, also when lookups overlap', async () => {
    const expected = { kind: 'hosts', hosts: [{ name: 'mx.kept.test', addresses: ['192.0.2.31'] }] };
    assert.deepEqual(await Promise.all([1, 2, 3].map(() => findMailRoute(resolver, 'kept.test'))), [expected, expected, expected]);
    assert.deepEqual(await findMailRoute(resolver, 'KEPT.test'), expected);
    assert.deepEqual([asked('kept.test MX'), asked('mx.kept.test A'), asked('mx.kept.test AAAA')], [1, 1, 1]);
  });

  it('keeps each answer for its own TTL: an MX of TTL 0 is asked again, its host\'s address of TTL 60 is not', async () => {
    await findMailRoute(resolver, 'short.test');
    const route = await findMailRoute(resolver, 'short.test');
    assert.deepEqual(route, { kind: 'hosts', hosts: [{ name: 'mx.short.test', addresses: ['192.0.2.32'] }] });
    assert.deepEqual([asked('short.test MX'), asked('mx.short.test A')], [2, 1]);
  });

  it('and the other way round: an MX of TTL 60 is kept, an address of TTL 0 asked again', async () => {
    await findMailRoute(resolver, 'shortaddress.test');
    const route = await findMailRoute(resolver, 'shortaddress.test');
    assert.deepEqual(route, { kind: 'hosts', hosts: [{ name: 'mx.shortaddress.test', addresses: ['192.0.2.33'] }] });
    assert.deepEqual([asked('shortaddress.test MX'), asked('mx.shortaddress.test A')], [1, 2]);
  });

  it('keeps a bounded number of names: when all are live, the oldest go first', async () => {
    const bounded = createMailResolver([dns.server], { timeoutMs: 1000, tries: 1, cacheMs: 60_000, maxNames: 20 });
    // Forty names, each kept 60 s (missing names without an SOA: UNTIMED_ANSWER_MS), as a client's made-up sender domains would be.
    const ask = (i: number) => bounded.resolveTxt(`made-up-${i}.test`).catch(() => undefined);
    for (let i = 0; i < 40; i++) await ask(i);
    await ask(39);
    assert.equal(asked('made-up-39.test TXT'), 1, 'the newest is kept');
    await ask(0);
    assert.equal(asked('made-up-0.test TXT'), 2, 'the oldest went to make room, and is asked again');
  });

  it('keeps no failure', async () => {
    assert.equal((await findMailRoute(resolver, 'broken.test')).kind, 'temporary');
    const once = asked('broken.test MX');
    assert.ok(once > 0);
    assert.equal((await findMailRoute(resolver, 'broken.test')).kind, 'temporary');
    assert.equal(asked('broken.test MX'), 2 * once);
  });
});

describe('per-domain limiter', () => {
  it('holds the third caller for a domain until a slot frees, and not other domains', async () => {
    const limiter = new DomainLimiter(2);
    assert.equal(await limiter.acquire('a.test'), true);
    assert.equal(await limiter.acquire('a.test'), true);
    assert.deepEqual(limiter.busyDomains(), ['a.test']);
    let third = false;
    const waiting = limiter.acquire('a.test').then((ok) => (third = ok));
    assert.equal(await limiter.acquire('b.test'), true);
    await new Promise((r) => setImmediate(r));
    assert.equal(third, false);
    limiter.release('a.test');
    await waiting;
    assert.equal(third, true);
    const controller = new AbortController();
    const cancelled = limiter.acquire('a.test', controller.signal);
    controller.abort();
    assert.equal(await cancelled, false);
    limiter.release('a.test');
    limiter.release('a.test');
    limiter.release('b.test');
    assert.deepEqual(limiter.busyDomains(), []);
  });
});

describe('idle SMTP sessions kept per destination', () => {
  /** A session as the cache sees it: open, one message sent. */
  const session = () => Object.assign({ ended: false, messages: 1, quits: 0 }, { quit(this: { quits: number }) { this.quits += 1; } });

  it('gives a kept session back once, and forgets a destination left without one, taken or timed out', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const cache = new SmtpSessionCache();
    const [a, b] = [session(), session()];
    cache.put('192.0.2.1 25', a as unknown as SmtpClient);
    cache.put('192.0.2.2 25', b as unknown as SmtpClient);
    assert.equal(cache.destinations, 2);
    assert.equal(cache.take('192.0.2.1 25'), a);
    assert.equal(cache.take('192.0.2.1 25'), undefined);
    assert.equal(cache.destinations, 1, 'taken: forgotten');
    t.mock.timers.tick(2000);
    assert.equal(b.quits, 1, 'idle too long: ended');
    assert.equal(cache.destinations, 0, 'timed out: forgotten');
  });
});
