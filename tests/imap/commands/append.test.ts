// APPEND (RFC 3501 6.3.11; RFC 4315 APPENDUID; RFC 7888 LITERAL+; RFC 5530
// OVERQUOTA and TRYCREATE) and MULTIAPPEND (RFC 3502), on both engines.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ENGINES } from '../../support/databases.ts';
import { literalLines, loggedIn, startImapServer, TEST_PASSWORD, type ImapTestServer, type RawImapClient, imapFixture } from '../imap-harness.ts';

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
        S: b5 NO Zero-length message literal, APPEND cancelled
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

// RFC 3502: messages that end without a line break, so that the next one's
// flags, date and literal follow on the same line.
const one = 'Subject: one\r\n\r\nfirst';
const two = 'Subject: two\r\n\r\nsecond';
const three = 'Subject: three\r\n\r\nthird';

for (const engine of ENGINES) {
  describe(`IMAP MULTIAPPEND (RFC 3502) on ${engine}`, () => {
    const imap = imapFixture(engine);

    it('appends several messages, each with its own flags and date, with one APPENDUID set; sessions watching see them together', async () => {
      await imap.authenticated().then((c) => c.command('p0 CREATE Batch'));
      const client = await imap.selected('Batch');
      const watcher = await imap.selected('Batch');
      await client.transcript(`
        C: a1 APPEND Batch {${one.length}}
        S: + Ready for literal data
        C: Subject: one
        C:
        C: first (\\Seen $sent) "20-Nov-2026 11:00:00 +0100" {${two.length}}
        S: + Ready for literal data
        C: Subject: two
        C:
        C: second () {${three.length}+}
        C: Subject: three
        C:
        C: third
        S: * FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $sent)
        S: * OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $sent \\*)] Flags permitted
        S: * 3 EXISTS
        S: * 3 RECENT
        S: a1 OK [APPENDUID {any} 1:3] APPEND completed
        C: a2 FETCH 1:3 (FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (SUBJECT)])
        S: * 1 FETCH (FLAGS (\\Recent) INTERNALDATE {any} BODY[HEADER.FIELDS (SUBJECT)] {16}
        S: Subject: one
        S:
        S: )
        S: * 2 FETCH (FLAGS (\\Seen $sent \\Recent) INTERNALDATE "20-Nov-2026 10:00:00 +0000" BODY[HEADER.FIELDS (SUBJECT)] {16}
        S: Subject: two
        S:
        S: )
        S: * 3 FETCH (FLAGS (\\Recent) INTERNALDATE {any} BODY[HEADER.FIELDS (SUBJECT)] {18}
        S: Subject: three
        S:
        S: )
        S: a2 OK FETCH completed
        C: a3 APPEND Batch {${one.length}+}
        C: Subject: one
        C:
        C: first {${two.length}+}
        C: Subject: two
        C:
        C: second
        S: * 5 EXISTS
        S: * 5 RECENT
        S: a3 OK [APPENDUID {any} 4:5] APPEND completed
      `);
      await watcher.transcript(`
        C: w1 NOOP
        S: * FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $sent)
        S: * OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $sent \\*)] Flags permitted
        S: * 5 EXISTS
        S: * 0 RECENT
        S: w1 OK NOOP completed
      `);
    });

    it('stores none when one fails: a zero-length message cancels with NO, bad flags or dates are BAD, a missing mailbox is TRYCREATE', async () => {
      await imap.authenticated().then((c) => c.command('p1 CREATE Nothing'));
      const client = await imap.authenticated();
      await client.transcript(`
        C: b1 APPEND Nothing {${one.length}+}
        C: Subject: one
        C:
        C: first {0}
        S: + Ready for literal data
        C:
        S: b1 NO Zero-length message literal, APPEND cancelled
        C: b2 APPEND Nothing {${one.length}+}
        C: Subject: one
        C:
        C: first (\\Bogus) {${two.length}+}
        C: Subject: two
        C:
        C: second
        S: b2 BAD unknown system flag \\Bogus
        C: b3 APPEND Nothing {${one.length}+}
        C: Subject: one
        C:
        C: first "31-Feb-2026 00:00:00 +0000" {${two.length}+}
        C: Subject: two
        C:
        C: second
        S: b3 BAD invalid date-time
        C: b4 APPEND Nothing {${one.length}+}
        C: Subject: one
        C:
        C: first (\\Seen)
        S: b4 BAD missing message literal
        C: b5 APPEND Nowhere {${one.length}+}
        C: Subject: one
        C:
        C: first {${two.length}+}
        C: Subject: two
        C:
        C: second
        S: b5 NO [TRYCREATE] No mailbox Nowhere
        C: b6 STATUS Nothing (MESSAGES UIDNEXT)
        S: * STATUS "Nothing" (MESSAGES 0 UIDNEXT 1)
        S: b6 OK STATUS completed
      `);
    });

    it('checks the quota for the sum of the messages: two that each fit alone but not together are refused, and neither is stored', async () => {
      await imap.authenticated().then((c) => c.command('p2 CREATE Quota'));
      const client = await imap.authenticated();
      const prisma = imap.server.daemon.context.store.database.prisma;
      const { usedBytes, quotaBytes } = await prisma.account.findUniqueOrThrow({ where: { id: imap.server.alice.id } });
      await prisma.account.update({ where: { id: imap.server.alice.id }, data: { quotaBytes: BigInt(usedBytes) + BigInt(two.length + 5) } });
      try {
        await client.transcript(`
          C: c1 APPEND Quota {${one.length}+}
          C: Subject: one
          C:
          C: first {${two.length}+}
          C: Subject: two
          C:
          C: second
          S: c1 NO [OVERQUOTA] mailbox is over its storage quota
          C: c2 STATUS Quota (MESSAGES)
          S: * STATUS "Quota" (MESSAGES 0)
          S: c2 OK STATUS completed
          C: c3 APPEND Quota {${two.length}+}
          C: Subject: two
          C:
          C: second
          S: c3 OK [APPENDUID {any} 1] APPEND completed
        `);
      } finally {
        await prisma.account.update({ where: { id: imap.server.alice.id }, data: { quotaBytes } });
      }
    });
  });
}

describe('IMAP MULTIAPPEND with Python imaplib', () => {
  const imap = imapFixture();

  it('appends three messages in one APPEND through imaplib synchronizing literals, and a zero-length one cancels', async () => {
    const script = new URL('../imaplib-multiappend.py', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)('python3', [script, String(imap.server.port), 'alice@example.test', TEST_PASSWORD]);
    const out = JSON.parse(stdout);
    assert.ok(out.capabilities.includes('MULTIAPPEND'));
    assert.match(out.append[0], /^OK$/);
    assert.match(out.append[1], /^\[APPENDUID \d+ 1:3\] APPEND completed$/);
    assert.deepEqual(out.cancelled, ['NO', 'Zero-length message literal, APPEND cancelled']);
    assert.equal(out.exists, 3);
    assert.deepEqual(out.fetch, [
      ['1 (FLAGS (\\Flagged \\Recent) BODY[HEADER.FIELDS (SUBJECT)] {19}', 'Subject: py one'],
      ['2 (FLAGS (\\Seen \\Recent) BODY[HEADER.FIELDS (SUBJECT)] {19}', 'Subject: py two'],
      ['3 (FLAGS (\\Recent) BODY[HEADER.FIELDS (SUBJECT)] {21}', 'Subject: py three'],
    ]);
  });
});
