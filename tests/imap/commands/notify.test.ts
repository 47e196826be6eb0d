// NOTIFY (RFC 5465): MessageNew, MessageExpunge and FlagChange for the
// selected mailbox (SELECTED, SELECTED-DELAYED) and for others (PERSONAL,
// INBOXES, SUBSCRIBED, SUBTREE, MAILBOXES, reported as STATUS), MailboxName
// and SubscriptionChange as LIST; the annotation and metadata events are
// refused with BADEVENT. Another session makes the
// changes; the notified one hears of them without sending a command.
import { describe, it } from 'node:test';
import { startDaemonProcess } from '../../support/daemon-process.ts';
import { ENGINES } from '../../support/databases.ts';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, imapFixture, loggedIn, startImapServer, type RawImapClient } from '../imap-harness.ts';

describe('IMAP NOTIFY', () => {
  const imap = imapFixture();

  it('reports the selected mailbox as it changes, and STATUS for the other mailboxes asked for, between commands', async () => {
    const setup = await imap.authenticated();
    await setup.command('p0 CREATE Lists');
    await setup.command('p1 CREATE Quiet');
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'list one' })], { mailbox: 'Lists' });
    const client = await imap.authenticated();
    const other = await imap.authenticated();
    await client.transcript(`
      C: a1 NOTIFY SET STATUS (SELECTED (MessageNew MessageExpunge FlagChange)) (MAILBOXES (Lists Nowhere) (MessageNew MessageExpunge))
      S: * STATUS "Lists" (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {any} UNSEEN 1)
      S: a1 OK NOTIFY completed
      C: a2 SELECT INBOX
      S: * FLAGS {any}
      S: * OK [PERMANENTFLAGS {any}] Flags permitted
      S: * 0 EXISTS
      S: * 0 RECENT
      S: * OK [UIDVALIDITY {any}] UIDs valid
      S: * OK [UIDNEXT 1] Predicted next UID
      S: * OK [HIGHESTMODSEQ {any}] Highest
      S: a2 OK [READ-WRITE] SELECT completed
    `);
    // New mail in the selected mailbox, its flags changed and expunged by another session: told at once.
    for (const n of [1, 2]) {
      await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: `inbox ${n}` })]);
      await client.transcript(`
        S: * ${n} EXISTS
        S: * ${n} RECENT
      `);
    }
    await other.command('o1 SELECT INBOX');
    await other.command('o2 STORE 1 +FLAGS.SILENT (\\Deleted)');
    await client.transcript(`
      S: * 1 FETCH (UID 1 FLAGS (\\Deleted \\Recent))
    `);
    await other.command('o3 EXPUNGE');
    await client.transcript(`
      S: * 1 EXPUNGE
    `);
    // Another mailbox asked for: STATUS; one not asked for, or an event not asked for: nothing.
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'list two' })], { mailbox: 'Lists' });
    await client.transcript(`
      S: * STATUS "Lists" (MESSAGES 2 UIDNEXT 3 UIDVALIDITY {any} UNSEEN 2)
    `);
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'quiet' })], { mailbox: 'Quiet' });
    await other.command('o4 SELECT Lists');
    await other.command('o5 STORE 1 +FLAGS.SILENT (\\Seen)');
    await client.transcript(`
      C: a3 NOOP
      S: a3 OK NOOP completed
    `);
    // NOTIFY NONE: back to the base protocol, changes wait for a command.
    await client.transcript(`
      C: a4 NOTIFY NONE
      S: a4 OK NOTIFY completed
    `);
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'inbox three' })]);
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'list three' })], { mailbox: 'Lists' });
    await client.transcript(`
      C: a5 NOOP
      S: * 2 EXISTS
      S: * 2 RECENT
      S: a5 OK NOOP completed
    `);
  });

  it('with SELECTED-DELAYED holds expunges for a command that may report them; SUBTREE, SUBSCRIBED and PERSONAL cover what they name', async () => {
    const setup = await imap.authenticated();
    await setup.command('q0 CREATE Projects/Alpha');
    await setup.command('q1 CREATE Projects2');
    await setup.command('q2 CREATE Followed');
    await setup.command('q3 SUBSCRIBE Followed');
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'a' }), buildMessage({ subject: 'b' })], { mailbox: 'Archive' });
    const client = await imap.authenticated();
    const other = await imap.authenticated();
    await client.command('b0 SELECT Archive');
    await client.transcript(`
      C: b1 NOTIFY SET (SELECTED-DELAYED (MessageNew MessageExpunge FlagChange)) (SUBTREE Projects (MessageNew)) (SUBSCRIBED (MessageNew))
      S: b1 OK NOTIFY completed
    `);
    await other.command('o0 SELECT Archive');
    await other.command('o1 STORE 2 +FLAGS.SILENT (\\Deleted)');
    await client.transcript(`
      S: * 2 FETCH (UID 2 FLAGS (\\Deleted \\Recent))
    `);
    await other.command('o2 EXPUNGE');
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'alpha' })], { mailbox: 'Projects/Alpha' });
    await client.transcript(`
      S: * STATUS "Projects/Alpha" (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {any} UNSEEN 1)
    `);
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'not below Projects' })], { mailbox: 'Projects2' });
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'followed' })], { mailbox: 'Followed' });
    await client.transcript(`
      S: * STATUS "Followed" (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {any} UNSEEN 1)
      C: b2 NOOP
      S: * 2 EXPUNGE
      S: b2 OK NOOP completed
    `);
    // PERSONAL is every mailbox of the account; in IDLE too.
    await client.transcript(`
      C: b3 NOTIFY SET (PERSONAL (MessageNew MessageExpunge))
      S: b3 OK NOTIFY completed
      C: b4 IDLE
      S: + idling
    `);
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'anywhere' })], { mailbox: 'Projects2' });
    await client.transcript(`
      S: * STATUS "Projects2" (MESSAGES 2 UIDNEXT 3 UIDVALIDITY {any} UNSEEN 2)
      C: DONE
      S: b4 OK IDLE terminated
    `);
  });

  it('lists mailboxes another session creates, renames and deletes (MailboxName), and its subscriptions (SubscriptionChange)', async () => {
    const client = await imap.authenticated();
    const other = await imap.authenticated();
    await client.transcript(`
      C: d1 NOTIFY SET (SUBTREE Club (MailboxName SubscriptionChange)) (MAILBOXES Elsewhere (MailboxName))
      S: d1 OK NOTIFY completed
    `);
    await other.command('o1 CREATE Club/Chess');
    await client.transcript(`
      S: * LIST (\\HasChildren) "/" "Club"
      S: * LIST (\\HasNoChildren) "/" "Club/Chess"
    `);
    await other.command('o2 RENAME Club/Chess Club/Go');
    await client.transcript(`
      S: * LIST (\\HasNoChildren) "/" "Club/Go" ("OLDNAME" ("Club/Chess"))
    `);
    await other.command('o3 SUBSCRIBE Club/Go');
    await client.transcript(`
      S: * LIST (\\HasNoChildren \\Subscribed) "/" "Club/Go"
    `);
    await other.command('o4 UNSUBSCRIBE Club/Go');
    await client.transcript(`
      S: * LIST (\\HasNoChildren) "/" "Club/Go"
    `);
    await other.command('o5 DELETE Club/Go');
    await client.transcript(`
      S: * LIST (\\NonExistent) "/" "Club/Go"
    `);
    // Outside the filters nothing; MAILBOXES Elsewhere asked for names only.
    await other.command('o6 CREATE Outside');
    await other.command('o7 CREATE Elsewhere');
    await client.transcript(`
      S: * LIST (\\HasNoChildren) "/" "Elsewhere"
    `);
    await other.command('o8 SUBSCRIBE Elsewhere');
    await client.transcript(`
      C: d2 NOOP
      S: d2 OK NOOP completed
    `);
  });

  it('refuses bad NOTIFY commands, and events it does not report with NO [BADEVENT]', async () => {
    const anonymous = await imap.anonymous();
    await anonymous.transcript(`
      C: c0 NOTIFY NONE
      S: c0 BAD NOTIFY is not allowed before login
    `);
    const client = await imap.authenticated();
    await client.transcript(`
      C: c1 NOTIFY
      S: c1 BAD missing NONE or SET
      C: c2 NOTIFY LATER
      S: c2 BAD NOTIFY takes NONE or SET
      C: c3 NOTIFY SET
      S: c3 BAD missing event group
      C: c4 NOTIFY SET (SELECTED (MessageNew))
      S: c4 BAD MessageNew and MessageExpunge go together
      C: c5 NOTIFY SET (SELECTED (FlagChange))
      S: c5 BAD FlagChange needs MessageNew and MessageExpunge
      C: c6 NOTIFY SET (PERSONAL (MessageNew Bogus))
      S: c6 BAD unknown event Bogus
      C: c7 NOTIFY SET (EVERYWHERE (MessageNew))
      S: c7 BAD unknown filter EVERYWHERE
      C: c8 NOTIFY SET (SELECTED (MessageNew MessageExpunge)) (SELECTED-DELAYED NONE)
      S: c8 BAD SELECTED given twice
      C: c9 NOTIFY SET (PERSONAL ())
      S: c9 BAD missing events
      C: c10 NOTIFY SET (MAILBOXES (MessageNew))
      S: c10 BAD {any}
      C: c11 NOTIFY SET (PERSONAL (MessageNew (UID)))
      S: c11 BAD fetch attributes only for the selected mailbox
      C: c12 NOTIFY SET (SELECTED (MessageNew (UID FLAGS) MessageExpunge))
      S: c12 NO MessageNew with fetch attributes is not supported
      C: c13 NOTIFY SET (PERSONAL (MessageNew AnnotationChange MailboxMetadataChange))
      S: c13 NO [BADEVENT (AnnotationChange MailboxMetadataChange)] Unsupported NOTIFY events
      C: c14 NOTIFY NONE extra
      S: c14 BAD unexpected argument after the last one
    `);
  });
});

for (const engine of ENGINES) {
  describe(`IMAP NOTIFY across daemons on ${engine}`, () => {
    it('tells a session on one daemon of changes made through another', async () => {
      const server = await startImapServer(engine);
      const child = await startDaemonProcess(server.daemon.context.store.database.url, { services: ['imap'] });
      let there: RawImapClient | undefined;
      let here: RawImapClient | undefined;
      try {
        there = await loggedIn(child.port('imap'));
        here = await loggedIn(server.port);
        await here.command('h1 CREATE Far');
        await there.transcript(`
          C: t1 NOTIFY SET (SELECTED (MessageNew MessageExpunge)) (PERSONAL (MessageNew MailboxName))
          S: t1 OK NOTIFY completed
          C: t2 SELECT INBOX
          S: * FLAGS {any}
          S: * OK [PERMANENTFLAGS {any}] Flags permitted
          S: * 0 EXISTS
          S: * 0 RECENT
          S: * OK [UIDVALIDITY {any}] UIDs valid
          S: * OK [UIDNEXT 1] Predicted next UID
          S: * OK [HIGHESTMODSEQ {any}] Highest
          S: t2 OK [READ-WRITE] SELECT completed
        `);
        await deliverTo(server, server.alice, [buildMessage({ subject: 'to the inbox' })]);
        await there.transcript(`
          S: * 1 EXISTS
          S: * 1 RECENT
        `);
        await deliverTo(server, server.alice, [buildMessage({ subject: 'far away' })], { mailbox: 'Far' });
        await there.transcript(`
          S: * STATUS "Far" (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {any} UNSEEN 1)
        `);
        await here.command('h2 CREATE Farther');
        await there.transcript(`
          S: * LIST (\\HasNoChildren) "/" "Farther"
        `);
      } finally {
        here?.close();
        there?.close();
        await child.stop();
        await server.dispose();
      }
    });
  });
}
