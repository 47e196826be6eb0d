// Issue 11 section 6: on 25, 300 unknown recipients in one session each got a
// quick 550, so addresses could be harvested. Now, after
// SMTP_UNKNOWN_RCPT_SLOW_AFTER unknown ones, each answer waits (a tarpit) and
// at SMTP_UNKNOWN_RCPT_LIMIT the session ends with 421. The test counts the
// replies a raw client gets; known recipients are taken as before.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { RawSmtp } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';

describe('recipient harvesting on port 25', () => {
  let daemon: TestDaemon;
  before(async () => {
    daemon = await startTestDaemon('sqlite', [smtpService], { SMTP_UNKNOWN_RCPT_SLOW_AFTER: '2', SMTP_UNKNOWN_RCPT_DELAY: '5ms', SMTP_UNKNOWN_RCPT_LIMIT: '5' });
    await addTestAccounts(daemon.context.store, 'sec.test', ['alice']);
  });
  after(() => daemon.dispose());

  async function session(): Promise<RawSmtp> {
    const raw = await RawSmtp.open(daemon.port('smtp'));
    await raw.reply();
    await raw.command('EHLO harvester.test');
    assert.match(await raw.command('MAIL FROM:<list@harvester.test>'), /^250 /);
    return raw;
  }

  it('answers unknown recipients until the limit, then 421 and closes the connection', async () => {
    const raw = await session();
    const replies: string[] = [];
    for (const name of ['admin', 'bob', 'alice', 'carol', 'dave', 'eve']) replies.push((await raw.command(`RCPT TO:<${name}@sec.test>`)).slice(0, 9));
    assert.deepEqual(replies, ['550 5.1.1', '550 5.1.1', '250 2.1.5', '550 5.1.1', '550 5.1.1', '421 4.7.0']);
    await new Promise<void>((resolve) => (raw.socket.closed ? resolve() : raw.socket.once('close', () => resolve())));
    raw.close();
  });

  it('counts per session: a new connection starts again, and mail to known users still goes through', async () => {
    const raw = await session();
    assert.match(await raw.command('RCPT TO:<nobody@sec.test>'), /^550 5\.1\.1 /);
    assert.match(await raw.command('RCPT TO:<alice@sec.test>'), /^250 /);
    assert.match(await raw.command('DATA'), /^354 /);
    assert.match(await raw.command('Subject: hi\r\n\r\nhello\r\n.'), /^250 /);
    raw.close();
  });
});
