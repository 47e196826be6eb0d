// QRESYNC (RFC 7162 3.2): ENABLE QRESYNC, SELECT ... (QRESYNC ...) with
// VANISHED (EARLIER), VANISHED instead of EXPUNGE, UID FETCH ... (CHANGEDSINCE
// n VANISHED), [CLOSED]; transcripts on both engines, then imapflow's own
// QRESYNC resync.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { ENGINES } from '../support/databases.ts';
import { buildMessage } from '../support/messages.ts';
import { setFlags } from '../../mail-daemon/store/message-flags.ts';
import { expungeMessages } from '../../mail-daemon/store/expunge.ts';
import { findMailbox } from '../../mail-daemon/store/mailboxes.ts';
import { connectRaw, deliverTo, loggedIn, startImapServer, TEST_PASSWORD, type ImapTestServer, type RawImapClient } from './imap-harness.ts';

function codeValue(lines: string[], code: string): number {
  const line = lines.find((l) => l.startsWith(`* OK [${code} `));
  assert.ok(line, `${code} in ${JSON.stringify(lines)}`);
  return Number(/\[\S+ (\d+)\]/.exec(line)![1]);
}

for (const engine of ENGINES) {
  describe(`IMAP QRESYNC on ${engine}`, () => {
    let server: ImapTestServer;
    let client: RawImapClient;
    let inboxId: number;
    let uids: number[];
    /** Another session's changes, straight through the store. */
    const flag = (uid: number, flags: string[]) => setFlags(server.daemon.context.store, server.alice.id, inboxId, [uid], 'add', flags);
    const expunge = (uid: number) => expungeMessages(server.daemon.context.store, server.alice.id, inboxId, { onlyDeleted: false, uids: [uid] });

    before(async () => {
      server = await startImapServer(engine);
      uids = await deliverTo(server, server.alice, Array.from({ length: 5 }, (_, i) => buildMessage({ subject: `m${i + 1}` })));
      inboxId = (await findMailbox(server.daemon.context.store, server.alice.id, 'INBOX'))!.id;
      client = await loggedIn(server.port);
    });
    after(async () => {
      client.close();
      await server.dispose();
    });

    it('refuses QRESYNC and VANISHED before ENABLE QRESYNC', async () => {
      await client.transcript(`
        C: a1 CAPABILITY
        S: * CAPABILITY {any} CONDSTORE QRESYNC {any}
        S: a1 OK CAPABILITY completed
        C: a2 SELECT INBOX (QRESYNC (1 1))
        S: a2 BAD QRESYNC must be enabled first
      `);
      await client.command('a3 SELECT INBOX');
      await client.transcript(`
        C: a4 UID FETCH 1:* FLAGS (CHANGEDSINCE 1 VANISHED)
        S: a4 BAD VANISHED needs UID FETCH and ENABLE QRESYNC
        C: a5 UNSELECT
        S: a5 OK UNSELECT completed
      `);
    });

    it('resynchronizes on SELECT and reports expunges as VANISHED', async () => {
      await client.transcript(`
        C: b1 ENABLE QRESYNC
        S: * ENABLED QRESYNC
        S: b1 OK ENABLE completed
      `);
      const selected = await client.command('b2 SELECT INBOX');
      const uidValidity = codeValue(selected, 'UIDVALIDITY');
      const known = codeValue(selected, 'HIGHESTMODSEQ');

      // While selected: another session's flag change and expunge.
      await flag(uids[1], ['\\Flagged']);
      await expunge(uids[3]);
      await client.transcript(`
        C: b3 NOOP
        S: * 2 FETCH (UID ${uids[1]} FLAGS (\\Flagged) MODSEQ ({any}))
        S: * VANISHED ${uids[3]}
        S: b3 OK NOOP completed
        C: b4 STORE 1 +FLAGS.SILENT (\\Deleted)
        S: b4 OK STORE completed
        C: b5 EXPUNGE
        S: * VANISHED ${uids[0]}
        S: b5 OK EXPUNGE completed
        C: b6 UNSELECT
        S: b6 OK UNSELECT completed
      `);
      // While not selected: more changes, then a resync from the old modseq.
      await expunge(uids[4]);
      await flag(uids[2], ['$Later']);
      await client.transcript(`
        C: b7 SELECT INBOX (QRESYNC (${uidValidity} ${known} ${uids[0]}:${uids[4]}))
        S: * FLAGS {any}
        S: * OK [PERMANENTFLAGS {any}
        S: * 2 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY ${uidValidity}] UIDs valid
        S: * OK [UIDNEXT ${uids[4] + 1}] Predicted next UID
        S: * OK [HIGHESTMODSEQ {any}] Highest
        S: * VANISHED (EARLIER) ${uids[0]},${uids[3]}:${uids[4]}
        S: * 1 FETCH (UID ${uids[1]} FLAGS (\\Flagged) MODSEQ ({any}))
        S: * 2 FETCH (UID ${uids[2]} FLAGS ($Later) MODSEQ ({any}))
        S: b7 OK [READ-WRITE] SELECT completed
        C: b8 UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${known} VANISHED)
        S: * VANISHED (EARLIER) ${uids[0]},${uids[3]}:${uids[4]}
        S: * 1 FETCH (UID ${uids[1]} FLAGS (\\Flagged) MODSEQ ({any}))
        S: * 2 FETCH (UID ${uids[2]} FLAGS ($Later) MODSEQ ({any}))
        S: b8 OK UID FETCH completed
        C: b9 UID FETCH ${uids[4]}:* (FLAGS) (CHANGEDSINCE ${known} VANISHED)
        S: * VANISHED (EARLIER) ${uids[4]}
        S: * 2 FETCH (UID ${uids[2]} FLAGS ($Later) MODSEQ ({any}))
        S: b9 OK UID FETCH completed
      `);
      // Known UIDs limit VANISHED; another UIDVALIDITY gets a plain SELECT.
      await client.transcript(`
        C: b10 EXAMINE INBOX (QRESYNC (${uidValidity} ${known} ${uids[4]}:*))
        S: * OK [CLOSED] Previous mailbox closed
        S: * FLAGS {any}
        S: * OK [PERMANENTFLAGS ()] Flags permitted
        S: * 2 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY ${uidValidity}] UIDs valid
        S: * OK [UIDNEXT {any}] Predicted next UID
        S: * OK [HIGHESTMODSEQ {any}] Highest
        S: * VANISHED (EARLIER) ${uids[4]}
        S: * 1 FETCH {any}
        S: * 2 FETCH {any}
        S: b10 OK [READ-ONLY] EXAMINE completed
        C: b11 EXAMINE INBOX (QRESYNC (${uidValidity + 1} ${known}))
        S: * OK [CLOSED] Previous mailbox closed
        S: * FLAGS {any}
        S: * OK [PERMANENTFLAGS ()] Flags permitted
        S: * 2 EXISTS
        S: * 0 RECENT
        S: * OK [UNSEEN 1] First unseen
        S: * OK [UIDVALIDITY ${uidValidity}] UIDs valid
        S: * OK [UIDNEXT {any}] Predicted next UID
        S: * OK [HIGHESTMODSEQ {any}] Highest
        S: b11 OK [READ-ONLY] EXAMINE completed
      `);
    });

    it('refuses malformed QRESYNC parameters and VANISHED without CHANGEDSINCE', async () => {
      await client.transcript(`
        C: c1 UID FETCH 1:* FLAGS (VANISHED)
        S: c1 BAD VANISHED needs CHANGEDSINCE
        C: c2 FETCH 1 FLAGS (CHANGEDSINCE 1 VANISHED)
        S: c2 BAD VANISHED needs UID FETCH and ENABLE QRESYNC
        C: c3 SELECT INBOX (QRESYNC (0 5))
        S: c3 BAD QRESYNC needs a non-zero UIDVALIDITY and modseq
        C: c4 SELECT INBOX (QRESYNC (1))
        S: c4 BAD missing modseq
        C: c5 SELECT INBOX (QRESYNC (1 2 1:5 (1:2)))
        S: c5 BAD missing known UID set
        C: c6 SELECT INBOX (QRESYNC)
        S: c6 BAD missing QRESYNC parameter
      `);
    });

    it('imapflow resyncs with QRESYNC after changes from another session', async () => {
      const fresh = await deliverTo(server, server.alice, [buildMessage({ subject: 'n1' }), buildMessage({ subject: 'n2' })]);
      const imap = new ImapFlow({ host: '127.0.0.1', port: server.tlsPort, secure: true, tls: { rejectUnauthorized: false }, auth: { user: 'alice@example.test', pass: TEST_PASSWORD }, logger: false, qresync: true });
      await imap.connect();
      try {
        assert.ok(imap.enabled.has('QRESYNC'));
        const first = await imap.mailboxOpen('INBOX');
        const highestModseq = first.highestModseq!;
        await imap.mailboxClose();
        await flag(fresh[0], ['\\Seen']);
        await expunge(fresh[1]);
        const vanished: number[][] = [];
        imap.on('expunge', (event: { vanished?: boolean; uid?: number; seq?: number }) => {
          if (event.vanished && event.uid) vanished.push([event.uid]);
        });
        const flagsSeen: { uid?: number; flags: Set<string> }[] = [];
        imap.on('flags', (event: { uid?: number; flags: Set<string> }) => flagsSeen.push(event));
        const reopened = await imap.mailboxOpen('INBOX', { changedSince: highestModseq, uidValidity: first.uidValidity } as any);
        assert.equal(reopened.exists, 3);
        assert.ok(BigInt(reopened.highestModseq!) > BigInt(highestModseq));
        assert.deepEqual(vanished.flat(), [fresh[1]]);
        assert.ok(flagsSeen.some((f) => f.uid === fresh[0] && f.flags.has('\\Seen')), JSON.stringify(flagsSeen.map((f) => [f.uid, [...f.flags]])));
      } finally {
        await imap.logout().catch(() => undefined);
      }
    });
  });
}

describe('QRESYNC needs a logged-in session', () => {
  it('ENABLE before login is a BAD', async () => {
    const server = await startImapServer('sqlite');
    const client = await connectRaw(server.port);
    try {
      await client.transcript(`
        C: z1 ENABLE QRESYNC
        S: z1 BAD ENABLE is not allowed before login
      `);
    } finally {
      client.close();
      await server.dispose();
    }
  });
});
