// Each message gets its own id in its Received: field (RFC 5321 4.4), not
// the connection's: two messages in one session (Python's smtplib) get two
// ids, each named in the 250 reply and found in the delivery log, on port 25
// and on submission (issue 14 item 6).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts, inboxOf, TEST_PASSWORD } from '../support/accounts.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { listMessages, getMessageContent } from '../../mail-daemon/store/messages.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

// Two messages on one connection; prints the final reply to each DATA.
const TWO_MESSAGES = `
import smtplib, sys
port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = smtplib.SMTP('127.0.0.1', port)
s.ehlo('client.remote.test')
if user:
    s.login(user, password)
sender = user or 'sender@remote.test'
for subject in ('first of two', 'second of two'):
    s.mail(sender)
    s.rcpt('alice@example.test')
    code, reply = s.data(('From: %s\\r\\nTo: alice@example.test\\r\\nSubject: %s\\r\\n\\r\\nHello.\\r\\n' % (sender, subject)).encode())
    print(code, reply.decode())
s.quit()
`;

describe('Received: id per message', () => {
  let daemon: TestDaemon;
  let alice: AccountView;

  before(async () => {
    daemon = await startTestDaemon('sqlite', [smtpService], { DNS_SERVERS: '127.0.0.1:9' });
    [alice] = await addTestAccounts(daemon.context.store, 'example.test', ['alice', 'bob']);
  });
  after(() => daemon.dispose());

  async function sendTwo(port: number, user = '', password = '') {
    const { stdout } = await promisify(execFile)('python3', ['-c', TWO_MESSAGES, String(port), user, password], { encoding: 'utf8' });
    return stdout.trim().split('\n').map((line) => {
      const match = /^250 .*accepted as (\w+)/.exec(line);
      assert.ok(match, line);
      return match[1];
    });
  }

  async function receivedIdOf(subject: string) {
    const inbox = await inboxOf(daemon.context.store, alice.id);
    const message = (await listMessages(daemon.context.store, alice.id, inbox.id)).find((m) => m.subject === subject)!;
    const raw = (await getMessageContent(daemon.context.store, alice.id, message.id)).raw.toString('latin1');
    return /^Received: [^\r]*\r\n\tby mail\.example\.test with \w+ id (\w+)/m.exec(raw)?.[1];
  }

  for (const [label, port, login] of [['port 25', 'smtp', false], ['submission', 'submission', true]] as const) {
    it(`gives each message of one ${label} session its own id, in the reply, the header and the log`, async () => {
      await daemon.context.store.database.prisma.message.deleteMany();
      const ids = await sendTwo(daemon.port(port), login ? 'bob@example.test' : '', login ? TEST_PASSWORD : '');
      assert.equal(new Set(ids).size, 2, `two different ids: ${ids}`);
      assert.deepEqual([await receivedIdOf('first of two'), await receivedIdOf('second of two')], ids);
      for (const id of ids) {
        const logged = await daemon.context.store.database.prisma.deliveryLog.findMany({ where: { receivedId: id } });
        assert.equal(logged.length, 1, `one log line for ${id}`);
        assert.equal(logged[0].status, 'delivered');
        assert.equal(logged[0].rcptTo, 'alice@example.test');
      }
    });
  }
});
