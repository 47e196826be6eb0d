// SELECT reads what selecting needs from a per-mailbox snapshot in memory
// (store/mailbox-snapshot.ts). Whatever changed since, here or in another
// process on the same database (new messages, flags, expunges), the next
// SELECT shows at once, before any change broadcast could have arrived.
// Both engines. The other process is a second store on the same database:
// its changes reach this daemon only through the database.
import { describe, it, before, after } from 'node:test';
import { ENGINES } from '../support/databases.ts';
import { buildMessage } from '../support/messages.ts';
import { openDatabase } from '../../prisma/database.ts';
import { closeMailStore, createMailStore, type MailStore } from '../../mail-daemon/store/context.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { setFlags } from '../../mail-daemon/store/message-flags.ts';
import { expungeMessages } from '../../mail-daemon/store/expunge.ts';
import { inboxOf } from '../support/accounts.ts';
import { deliverTo, loggedIn, startImapServer, type ImapTestServer } from './imap-harness.ts';

for (const engine of ENGINES) {
  describe(`SELECT after changes from another process on ${engine}`, () => {
    let server: ImapTestServer;
    let other: MailStore;
    before(async () => {
      server = await startImapServer(engine);
      other = createMailStore(await openDatabase(server.daemon.database.url));
      await deliverTo(server, server.alice, [1, 2, 3, 4].map((n) => buildMessage({ subject: `m${n}` })));
    });
    after(async () => {
      await closeMailStore(other);
      await server.dispose();
    });

    it('shows new messages, flags and expunges at once', async () => {
      const client = await loggedIn(server.port);
      const select = (tag: string, exists: number, unseen: number, uidNext: number, modseq: number) => `
        C: ${tag} SELECT INBOX
        S: * FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)
        S: * OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft \\*)] Flags permitted
        S: * ${exists} EXISTS
        S: * {any} RECENT
        S: * OK [UNSEEN ${unseen}] First unseen
        S: * OK [UIDVALIDITY {any}] UIDs valid
        S: * OK [UIDNEXT ${uidNext}] Predicted next UID
        S: * OK [HIGHESTMODSEQ ${modseq}] Highest
        S: ${tag} OK [READ-WRITE] SELECT completed`;
      await client.transcript(select('a1', 4, 1, 5, 5));
      const inbox = await inboxOf(other, server.alice.id);
      // The other process: UIDs 1 and 2 read, 3 expunged, a fifth message delivered.
      await setFlags(other, server.alice.id, inbox.id, [1, 2], 'add', ['\\Seen']);
      await setFlags(other, server.alice.id, inbox.id, [3], 'add', ['\\Deleted']);
      await expungeMessages(other, server.alice.id, inbox.id);
      await deliverMessage(other, buildMessage({ subject: 'm5' }), [{ accountId: server.alice.id }]);
      // Sequence numbers 1, 2, 3, 4 are UIDs 1, 2, 4, 5: the first unseen is UID 4, at 3.
      await client.transcript(`${select('a2', 4, 3, 6, 9).replace('C: a2', 'C: a2').replace(/^(\s*)S: \* FLAGS/m, '$1S: * OK [CLOSED] Previous mailbox closed\n$1S: * FLAGS')}
        C: a3 FETCH 1:* (UID FLAGS)
        S: * 1 FETCH (UID 1 FLAGS (\\Seen))
        S: * 2 FETCH (UID 2 FLAGS (\\Seen))
        S: * 3 FETCH (UID 4 FLAGS ())
        S: * 4 FETCH (UID 5 FLAGS (\\Recent))
        S: a3 OK FETCH completed`);
      // The same on a fresh connection, and after this daemon's own change.
      await setFlags(server.daemon.context.store, server.alice.id, inbox.id, [4], 'add', ['\\Seen']);
      const second = await loggedIn(server.port);
      await second.transcript(select('b1', 4, 4, 6, 10));
      client.close();
      second.close();
    });
  });
}
