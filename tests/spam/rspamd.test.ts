// Port 25 with RSPAMD_URL: Debian's rspamd runs on 127.0.9.1 with a throwaway
// config (tests/support/rspamd.ts) and every message is checked through its
// HTTP protocol; its action applies. GTUBE test patterns pick the action.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { sendWithNodemailer } from '../support/smtp-client.ts';
import { GTUBE, SOFT_REJECT_SUBJECT, startRspamd, type RunningRspamd } from '../support/rspamd.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { listMessages, getMessageContent } from '../../mail-daemon/store/messages.ts';
import { findSpecialUseMailbox } from '../../mail-daemon/store/mailboxes.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

const BODY = 'Hi Alice,\n\nthanks for the review of the patch yesterday. The build is fixed and the tests pass again.\n\nBob\n';

describe('Rspamd on port 25', () => {
  let dns: TestDnsServer;
  let rspamd: RunningRspamd | null;
  let daemon: TestDaemon;
  let alice: AccountView;

  before(async () => {
    dns = await startTestDnsServer({});
    rspamd = await startRspamd(dns);
    assert.ok(rspamd, 'rspamd is installed (Debian package rspamd)');
    daemon = await startTestDaemon('sqlite', [smtpService], { DNS_SERVERS: dns.address, RSPAMD_URL: rspamd.url });
    [alice] = await addTestAccounts(daemon.context.store, 'example.test', ['alice']);
  });
  after(async () => {
    await daemon?.dispose();
    await rspamd?.stop();
    await dns.close();
  });

  function send(subject: string, body: string) {
    return sendWithNodemailer({ port: daemon.port('smtp') }, { from: 'bob@remote.test', to: ['alice@example.test'] }, buildMessage({ from: 'Bob <bob@remote.test>', subject, body }));
  }
  async function stored(specialUse: string) {
    const mailbox = (await findSpecialUseMailbox(daemon.context.store.database.prisma, alice.id, specialUse))!;
    const messages = await listMessages(daemon.context.store, alice.id, mailbox.id);
    return Promise.all(messages.map(async (m) => ({ subject: m.subject, raw: (await getMessageContent(daemon.context.store, alice.id, m.id)).raw.toString('utf8') })));
  }

  it('delivers what Rspamd lets through, with its result field', async () => {
    const result = await send('Patch review', BODY);
    assert.deepEqual(result.accepted, ['alice@example.test']);
    const [inbox] = await stored('\\Inbox');
    assert.equal(inbox.subject, 'Patch review');
    assert.match(inbox.raw, /^X-Rspamd-Result: no action; score=-?\d+\.\d\d\/\d+\.\d\d;/);
  });

  it('refuses what Rspamd rejects with 550 5.7.1 and its message', async () => {
    await assert.rejects(send('Reject me', `${BODY}${GTUBE.reject}\n`), (error: Error & { response?: string }) => {
      assert.equal(error.response, '550 5.7.1 Message rejected as spam: Gtube pattern');
      return true;
    });
  });

  it('answers 451 4.7.1 when Rspamd says soft reject', async () => {
    await assert.rejects(send(`Please ${SOFT_REJECT_SUBJECT} this`, BODY), (error: Error & { response?: string }) => {
      assert.equal(error.response, '451 4.7.1 Try again later: Try again later (test rule)');
      return true;
    });
  });

  it('sends to Junk what Rspamd marks with add header or rewrite subject', async () => {
    assert.deepEqual((await send('Add a header', `${BODY}${GTUBE.addHeader}\n`)).accepted, ['alice@example.test']);
    assert.deepEqual((await send('Rewrite my subject', `${BODY}${GTUBE.rewriteSubject}\n`)).accepted, ['alice@example.test']);
    const junk = await stored('\\Junk');
    assert.deepEqual(junk.map((m) => m.subject), ['Add a header', 'Rewrite my subject']);
    assert.match(junk[0].raw, /^X-Rspamd-Result: add header; score=\d+\.\d\d\/\d+\.\d\d; GTUBE/);
    assert.match(junk[1].raw, /^X-Rspamd-Result: rewrite subject; /);
    assert.deepEqual((await stored('\\Inbox')).map((m) => m.subject), ['Patch review']);
  });

  it('accepts mail unchecked when Rspamd cannot be reached', async () => {
    const alone = await startTestDaemon('sqlite', [smtpService], { DNS_SERVERS: dns.address, RSPAMD_URL: 'http://127.0.9.1:9' });
    try {
      const [carol] = await addTestAccounts(alone.context.store, 'example.test', ['carol']);
      const result = await sendWithNodemailer({ port: alone.port('smtp') }, { from: 'bob@remote.test', to: ['carol@example.test'] }, buildMessage({ to: 'carol@example.test', subject: 'No Rspamd', body: `${BODY}${GTUBE.reject}\n` }));
      assert.deepEqual(result.accepted, ['carol@example.test']);
      const inbox = (await findSpecialUseMailbox(alone.context.store.database.prisma, carol.id, '\\Inbox'))!;
      const [message] = await listMessages(alone.context.store, carol.id, inbox.id);
      assert.equal(message.subject, 'No Rspamd');
      assert.doesNotMatch((await getMessageContent(alone.context.store, carol.id, message.id)).raw.toString('utf8'), /X-Rspamd-Result/);
    } finally {
      await alone.dispose();
    }
  });
});
