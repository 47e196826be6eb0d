// The inbound checks (SPF, DMARC) keep their DNS answers for the TTL the
// answer gives (RFC 1035 3.2.1), negative ones for their SOA's minimum (RFC
// 2308 5): mail from one sender domain asks once, not once per message.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { sendWithNodemailer } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';

describe('DNS answers of the inbound checks', () => {
  let daemon: TestDaemon;
  let dns: TestDnsServer;
  let port: number;

  before(async () => {
    dns = await startTestDnsServer(
      {
        'kept.test': { TXT: ['v=spf1 -all'], ttl: 3600 },
        '_dmarc.kept.test': { TXT: ['v=DMARC1; p=none'], ttl: 3600 },
        'brief.test': { TXT: ['v=spf1 -all'], ttl: 0 },
        '_dmarc.brief.test': { TXT: ['v=DMARC1; p=none'], ttl: 0 },
      },
      '127.0.0.1',
      { negativeTtl: 300 },
    );
    daemon = await startTestDaemon('sqlite', [smtpService], { DNS_SERVERS: dns.address });
    port = daemon.port('smtp');
    await addTestAccounts(daemon.context.store, 'example.test', ['alice']);
  });
  after(async () => {
    await daemon.dispose();
    await dns.close();
  });

  const asked = (question: string) => dns.queries.filter((q) => q === question).length;
  async function sendTwiceFrom(domain: string): Promise<void> {
    for (let i = 0; i < 2; i++) {
      const result = await sendWithNodemailer({ port }, { from: `sender@${domain}`, to: ['alice@example.test'] }, buildMessage({ from: `sender@${domain}`, to: 'alice@example.test', subject: `from ${domain} ${i}` }));
      assert.deepEqual(result.accepted, ['alice@example.test']);
    }
  }

  it('asks for SPF and DMARC records once while their TTL lasts', async () => {
    await sendTwiceFrom('kept.test');
    assert.equal(asked('kept.test TXT'), 1);
    assert.equal(asked('_dmarc.kept.test TXT'), 1);
  });

  it('asks again for records of TTL 0', async () => {
    await sendTwiceFrom('brief.test');
    assert.equal(asked('brief.test TXT'), 2);
    assert.equal(asked('_dmarc.brief.test TXT'), 2);
  });

  it('keeps a missing name as long as its SOA says', async () => {
    await sendTwiceFrom('missing.test');
    assert.equal(asked('missing.test TXT'), 1);
    assert.equal(asked('_dmarc.missing.test TXT'), 1);
  });
});
