// IDLE (RFC 2177): new mail, flag changes and expunges reach a session in
// IDLE as they happen, also when the delivering process is another one
// sharing the database; on both engines.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ENGINES } from '../../support/databases.ts';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, loggedIn, startImapServer, type ImapTestServer, type RawImapClient } from '../imap-harness.ts';

function deliverFromAnotherProcess(url: string, accountId: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/store-child.ts', 'deliver', url, String(accountId)], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`store-child exited with ${code}`))));
  });
}

for (const engine of ENGINES) {
  describe(`IMAP IDLE on ${engine}`, () => {
    let server: ImapTestServer;
    let idler: RawImapClient;
    let other: RawImapClient;
    before(async () => {
      server = await startImapServer(engine);
      await deliverTo(server, server.alice, [buildMessage({ subject: 'first' })]);
      idler = await loggedIn(server.port);
      other = await loggedIn(server.port);
      await idler.command('s1 SELECT INBOX');
      await other.command('s1 SELECT INBOX');
    });
    after(async () => {
      idler.close();
      other.close();
      await server.dispose();
    });

    it('sees a delivery as EXISTS while idling', async () => {
      await idler.transcript(`
        C: a1 IDLE
        S: + idling
      `);
      await deliverTo(server, server.alice, [buildMessage({ subject: 'second' })]);
      // No clock here: how soon it comes is the IMAP bench's business, not a test's.
      assert.equal(await idler.readLine(), '* 2 EXISTS');
      // RFC 3501 2.3.2: the first session to hear of it has it as \\Recent, with the one from SELECT.
      assert.equal(await idler.readLine(), '* 2 RECENT');
    });

    it('sees flag changes and expunges by another session', async () => {
      await other.command('b1 STORE 1 +FLAGS.SILENT (\\Deleted)');
      await idler.transcript(`
        S: * 1 FETCH (UID 1 FLAGS (\\Deleted \\Recent))
      `);
      await other.command('b2 EXPUNGE');
      await idler.transcript(`
        S: * 1 EXPUNGE
      `);
    });

    it('sees a delivery by another process', async () => {
      await deliverFromAnotherProcess(server.daemon.database.url, server.alice.id);
      assert.equal(await idler.readLine(2000), '* 2 EXISTS');
      await idler.transcript(`
        S: * 2 RECENT
        C: DONE
        S: a1 OK IDLE terminated
        C: a2 NOOP
        S: a2 OK NOOP completed
      `);
    });

    it('ends IDLE with BAD on anything but DONE, and IDLE is refused before login', async () => {
      await idler.transcript(`
        C: c1 IDLE
        S: + idling
        C: c2 NOOP
        S: c1 BAD Expected DONE
        C: c3 IDLE extra
        S: c3 BAD unexpected argument after the last one
      `);
      const { connectRaw } = await import('../imap-harness.ts');
      const fresh = await connectRaw(server.port);
      await fresh.transcript(`
        C: d1 IDLE
        S: d1 BAD IDLE is not allowed before login
      `);
      fresh.close();
    });
  });
}
