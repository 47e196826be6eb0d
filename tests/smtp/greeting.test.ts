// The 220 greeting goes out as soon as the connection is accepted, as
// Postfix's smtpd does. smtp-server on its own holds each connection 100 ms
// first and answers a client that talks in that window with 421 "You talk
// too soon"; that wait was most of the time of a message sent on its own
// connection (issue 12).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { RawSmtp } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';

describe('SMTP greeting', () => {
  let daemon: TestDaemon;

  before(async () => {
    daemon = await startTestDaemon('sqlite', [smtpService], { DNS_SERVERS: '127.0.0.1:9' });
  });
  after(() => daemon.dispose());

  for (const label of ['smtp', 'submission']) {
    it(`is ready on ${label} the moment it accepts: EHLO sent with the connection gets 220, then 250`, async () => {
      const raw = await RawSmtp.open(daemon.port(label));
      raw.write('EHLO client.remote.test\r\n');
      assert.match(await raw.reply(), /^220 mail\.example\.test ESMTP /);
      assert.match(await raw.reply(), /^250-mail\.example\.test /);
      assert.match(await raw.command('NOOP'), /^250 /);
      raw.close();
    });
  }
});
