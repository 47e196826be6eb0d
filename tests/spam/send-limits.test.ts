// Outbound limits per account on submission (587, nodemailer with AUTH):
// messages per hour and recipients per day, the defaults from SEND_LIMIT_*
// and an account's own limits (mailctl user limits); over a limit, 451 4.7.1
// with a clear text, the account is listed for the admin, and lifting the
// limit lets it send again. Both engines.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../support/databases.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { sendWithNodemailer } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { listLimitedAccounts, liftSendLimit, sendLimitsOf, setSendLimits } from '../../mail-daemon/spam/send-limits.ts';
import { findAccount } from '../../mail-daemon/accounts/accounts.ts';
import { ValidationError } from '../../mail-daemon/errors/validation-error.ts';
import { runCommand } from '../../mail-daemon/mailctl/commands.ts';

for (const engine of ENGINES) {
  describe(`send limits on ${engine}`, () => {
    let daemon: TestDaemon;
    let dns: TestDnsServer;

    before(async () => {
      dns = await startTestDnsServer({});
      daemon = await startTestDaemon(engine, [smtpService], { DNS_SERVERS: dns.address, SEND_LIMIT_MESSAGES_PER_HOUR: '2', SEND_LIMIT_RECIPIENTS_PER_DAY: '6' });
      await addTestAccounts(daemon.context.store, 'example.test', ['alice', 'bob', 'carol']);
    });
    after(async () => {
      await daemon.dispose();
      await dns.close();
    });

    function submit(user: string, to: string[], subject = 'Hello') {
      return sendWithNodemailer(
        { port: daemon.port('submission'), auth: { user: `${user}@example.test`, pass: TEST_PASSWORD } },
        { from: `${user}@example.test`, to },
        buildMessage({ from: `${user}@example.test`, to: to.join(', '), subject }),
      );
    }
    async function refused(promise: Promise<unknown>): Promise<string> {
      try {
        await promise;
      } catch (error) {
        return (error as { response?: string }).response ?? String(error);
      }
      assert.fail('the submission was accepted');
    }

    it('refuses the message over the hourly limit with 451 4.7.1, lists the account, and sends again once lifted', async () => {
      assert.deepEqual((await submit('alice', ['friend@remote.test'])).accepted, ['friend@remote.test']);
      assert.deepEqual((await submit('alice', ['bob@example.test'])).accepted, ['bob@example.test']);
      assert.equal(
        await refused(submit('alice', ['friend@remote.test'], 'third')),
        '451 4.7.1 Sending limit reached: this account may send at most 2 messages per hour. Try again later, or ask your administrator to lift the limit',
      );
      const limited = await listLimitedAccounts(daemon.context.store);
      assert.deepEqual(limited.map((l) => [l.address, l.reason]), [['alice@example.test', 'at most 2 messages per hour']]);
      // Others are not held back by alice's count.
      assert.deepEqual((await submit('bob', ['friend@remote.test'])).accepted, ['friend@remote.test']);

      await liftSendLimit(daemon.context.store, limited[0].accountId);
      assert.deepEqual(await listLimitedAccounts(daemon.context.store), []);
      assert.deepEqual((await submit('alice', ['friend@remote.test'], 'after the lift')).accepted, ['friend@remote.test']);
    });

    it("counts recipients per day, with an account's own limit set by mailctl", async () => {
      const set = await runCommand(daemon.context.store, daemon.context.config, ['user', 'limits', 'carol@example.test', '--messages-per-hour', '10', '--recipients-per-day', '3']);
      assert.equal(set, 'carol@example.test may send 10 messages per hour and 3 recipients per day');
      assert.deepEqual((await submit('carol', ['a@remote.test', 'b@remote.test'])).accepted, ['a@remote.test', 'b@remote.test']);
      assert.equal(
        await refused(submit('carol', ['c@remote.test', 'd@remote.test'])),
        '451 4.7.1 Sending limit reached: this account may send at most 3 recipients per day. Try again later, or ask your administrator to lift the limit',
      );
      assert.deepEqual((await submit('carol', ['c@remote.test'])).accepted, ['c@remote.test'], 'one more still fits');
      const back = await runCommand(daemon.context.store, daemon.context.config, ['user', 'limits', 'carol@example.test', '--recipients-per-day', 'default']);
      assert.equal(back, 'carol@example.test may send 10 messages per hour and 6 recipients per day');
    });

    it('sets one limit of an account without touching the other, and refuses a limit that is not a whole number over 0', async () => {
      const store = daemon.context.store;
      const defaults = daemon.context.config.spam.sendLimits;
      const bob = (await findAccount(store, 'bob@example.test'))!;
      const limits = async () => {
        const { messagesPerHour, recipientsPerDay } = await sendLimitsOf(store, defaults, bob.id);
        return { messagesPerHour, recipientsPerDay };
      };
      await setSendLimits(store, bob.id, { messagesPerHour: 7 });
      assert.deepEqual(await limits(), { messagesPerHour: 7, recipientsPerDay: 6 });
      await setSendLimits(store, bob.id, { recipientsPerDay: 40 });
      assert.deepEqual(await limits(), { messagesPerHour: 7, recipientsPerDay: 40 });
      await setSendLimits(store, bob.id, { messagesPerHour: null });
      assert.deepEqual(await limits(), { messagesPerHour: 2, recipientsPerDay: 40 });
      for (const bad of [0, -1, 2.5]) {
        await assert.rejects(setSendLimits(store, bob.id, { recipientsPerDay: bad }), (error) => error instanceof ValidationError && error.field === 'recipientsPerDay');
      }
      assert.deepEqual(await limits(), { messagesPerHour: 2, recipientsPerDay: 40 });
      await setSendLimits(store, bob.id, { recipientsPerDay: null });
    });
  });
}
