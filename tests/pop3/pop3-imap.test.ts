// What a POP3 session does is seen by IMAP: an IMAP session in IDLE on the
// same INBOX gets the EXPUNGEs of the POP3 QUIT and the \Seen of its RETRs,
// on both engines.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../support/databases.ts';
import { TEST_PASSWORD, addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { imapService } from '../../mail-daemon/imap/imap-service.ts';
import { pop3Service } from '../../mail-daemon/pop3/pop3-service.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';
import { Pop3Transcript } from './pop3-transcript.ts';

/** The untagged lines an IMAP command produced, up to its tagged OK. */
async function imapCommand(imap: Pop3Transcript, tag: string, command: string): Promise<string[]> {
  imap.send(`${tag} ${command}`);
  const lines: string[] = [];
  for (;;) {
    const line = await imap.line();
    if (line.startsWith(`${tag} `)) {
      assert.match(line, new RegExp(`^${tag} OK`), `${command}: ${line}`);
      return lines;
    }
    lines.push(line);
  }
}

for (const engine of ENGINES) {
  describe(`POP3 and IMAP on one INBOX on ${engine}`, () => {
    let daemon: TestDaemon;
    let alice: AccountView;

    before(async () => {
      daemon = await startTestDaemon(engine, [imapService, pop3Service]);
      [alice] = await addTestAccounts(daemon.context.store, 'example.test', ['alice']);
      for (let i = 1; i <= 3; i++) await deliverMessage(daemon.context.store, buildMessage({ subject: `m${i}` }), [{ accountId: alice.id }]);
    });
    after(() => daemon.dispose());

    it('an IMAP session in IDLE sees the \\Seen of RETR and the EXPUNGE of DELE at QUIT', async () => {
      const imap = await Pop3Transcript.connect(daemon.port('imap'));
      assert.match(imap.greeting, /^\* OK/);
      await imapCommand(imap, 'a1', `LOGIN ${alice.address} "${TEST_PASSWORD}"`);
      const select = await imapCommand(imap, 'a2', 'SELECT INBOX');
      assert.ok(select.includes('* 3 EXISTS'));
      imap.send('a3 IDLE');
      assert.match(await imap.line(), /^\+ /);

      const pop = await Pop3Transcript.connect(daemon.port('pop3'));
      await pop.login(alice.address, TEST_PASSWORD);
      await pop.expect('RETR 2', /^\+OK/);
      await pop.body();
      await pop.expect('DELE 1', /^\+OK/);
      await pop.expect('DELE 3', /^\+OK/);
      assert.match(await pop.quit(), /\(2 messages deleted\)/);

      // The flag change and the expunge are two transactions; IMAP may report
      // them in either order, and renumbers after each EXPUNGE (RFC 9051 7.5.1).
      const updates = [await imap.line(), await imap.line(), await imap.line()];
      const fetches = updates.filter((l) => / FETCH /.test(l));
      const expunges = updates.filter((l) => / EXPUNGE$/.test(l));
      assert.equal(fetches.length, 1, updates.join(' | '));
      // The IMAP session selected first, so the messages are \Recent in it (RFC 3501 2.3.2).
      assert.match(fetches[0], /^\* [12] FETCH \(.*FLAGS \(\\Seen \\Recent\)/);
      assert.ok(['* 3 EXPUNGE, * 1 EXPUNGE', '* 1 EXPUNGE, * 2 EXPUNGE'].includes(expunges.join(', ')), updates.join(' | '));
      imap.send('DONE');
      assert.match(await imap.line(), /^a3 OK/);
      const status = await imapCommand(imap, 'a4', 'SEARCH ALL');
      assert.deepEqual(status, ['* SEARCH 1']);
      await imapCommand(imap, 'a5', 'LOGOUT');
    });
  });
}
