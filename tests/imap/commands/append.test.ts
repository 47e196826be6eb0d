// APPEND (RFC 3501 6.3.11; RFC 4315 APPENDUID; RFC 7888 LITERAL+; RFC 5530
// OVERQUOTA and TRYCREATE), on both engines.
import { describe, it, before, after } from 'node:test';
import { ENGINES } from '../../support/databases.ts';
import { literalLines, loggedIn, startImapServer, type ImapTestServer, type RawImapClient, imapFixture } from '../imap-harness.ts';

const message = 'Subject: hi\r\n\r\nbody\r\n';

for (const engine of ENGINES) {
  describe(`IMAP APPEND on ${engine}`, () => {
    let server: ImapTestServer;
    let client: RawImapClient;
    before(async () => {
      server = await startImapServer(engine);
      client = await loggedIn(server.port);
    });
    after(async () => {
      client.close();
      await server.dispose();
    });

    it('appends with flags and a date, answering APPENDUID', async () => {
      await client.transcript(`
        C: a1 APPEND Sent (\\Seen) "20-Nov-2026 11:00:00 +0100" {${message.length}}
        S: + Ready for literal data
        ${literalLines(message)}
        S: a1 OK [APPENDUID {any} 1] APPEND completed
        C: a2 APPEND Sent {${message.length}+}
        ${literalLines(message)}
        S: a2 OK [APPENDUID {any} 2] APPEND completed
        C: a3 SELECT Sent
        S: {any}
        S: {any}
        S: * 2 EXISTS
        S: * 2 RECENT
        S: * OK [UNSEEN 2] First unseen
        S: {any}
        S: {any}
        S: {any}
        S: a3 OK [READ-WRITE] SELECT completed
        C: a4 FETCH 1:2 (FLAGS INTERNALDATE BODY.PEEK[])
        S: * 1 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE "20-Nov-2026 10:00:00 +0000" BODY[] {${message.length}}
        S: Subject: hi
        S:
        S: body
        S: )
        S: * 2 FETCH (FLAGS (\\Recent) INTERNALDATE {any} BODY[] {${message.length}}
        S: Subject: hi
        S:
        S: body
        S: )
        S: a4 OK FETCH completed
        C: a5 APPEND Sent {${message.length}+}
        ${literalLines(message)}
        S: * 3 EXISTS
        S: * 3 RECENT
        S: a5 OK [APPENDUID {any} 3] APPEND completed
      `);
    });

    it('refuses missing mailboxes, bad flags and dates, and going over quota', async () => {
      const store = server.daemon.context.store;
      await client.transcript(`
        C: b1 APPEND Nope {${message.length}+}
        ${literalLines(message)}
        S: b1 NO [TRYCREATE] No mailbox Nope
        C: b2 APPEND Sent (\\Bogus) {${message.length}+}
        ${literalLines(message)}
        S: b2 BAD unknown system flag \\Bogus
        C: b3 APPEND Sent "yesterday" {${message.length}+}
        ${literalLines(message)}
        S: b3 BAD invalid date-time
        C: b4 APPEND Sent
        S: b4 BAD missing message literal
        C: b5 APPEND Sent {0+}
        C:
        S: b5 BAD Empty message
      `);
      await store.database.prisma.account.update({ where: { id: server.alice.id }, data: { quotaBytes: 10 } });
      await client.transcript(`
        C: b6 APPEND Drafts {${message.length}+}
        ${literalLines(message)}
        S: b6 NO [OVERQUOTA] mailbox is over its storage quota
        C: b7 GETQUOTA ""
        S: * QUOTA "" (STORAGE 1 0)
        S: b7 OK GETQUOTA completed
      `);
    });

    it('refuses a literal bigger than the message size limit before reading it', async () => {
      await client.transcript(`
        C: c1 APPEND Sent {999999999}
        S: c1 NO [TOOBIG] Literal of 999999999 bytes is too big
        C: c2 NOOP
        S: c2 OK NOOP completed
      `);
    });
  });
}

describe('IMAP APPEND in the wrong state', () => {
  const imap = imapFixture();

  it('refuses APPEND before login', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: w1 APPEND INBOX {5}
      S: + Ready for literal data
      C: hello
      S: w1 BAD APPEND is not allowed before login
    `);
  });
});
