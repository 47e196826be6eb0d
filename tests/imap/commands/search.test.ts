// SEARCH and UID SEARCH (RFC 3501 6.4.4; RFC 4731 ESEARCH; RFC 7162 MODSEQ).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../../support/databases.ts';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, literalLines, loggedIn, multipartMessage, startImapServer, type ImapTestServer, type RawImapClient, imapFixture } from '../imap-harness.ts';

describe('IMAP SEARCH', () => {
  let server: ImapTestServer;
  let client: RawImapClient;
  before(async () => {
    server = await startImapServer('sqlite');
    await deliverTo(server, server.alice, [buildMessage({ subject: 'Lunch on Friday', from: 'Bob <bob@example.test>', body: 'Pizza?\n' })], { flags: ['\\Seen'] });
    await deliverTo(server, server.alice, [multipartMessage('Quarterly report'), buildMessage({ subject: '=?utf-8?q?Gr=C3=BC=C3=9Fe?=', headers: { 'X-Mailer': 'Tester 1.0' } })]);
    client = await loggedIn(server.port);
    await client.command('s1 SELECT INBOX');
    await client.command('s2 STORE 2 +FLAGS ($Important \\Flagged)');
  });
  after(async () => {
    client.close();
    await server.dispose();
  });

  it('matches flags, keywords, headers, text, sizes, dates and sets', async () => {
    await client.transcript(`
      C: a1 SEARCH ALL
      S: * SEARCH 1 2 3
      S: a1 OK SEARCH completed
      C: a2 SEARCH UNSEEN
      S: * SEARCH 2 3
      S: a2 OK SEARCH completed
      C: a3 SEARCH KEYWORD $important FLAGGED
      S: * SEARCH 2
      S: a3 OK SEARCH completed
      C: a4 SEARCH FROM bob SUBJECT "lunch"
      S: * SEARCH 1
      S: a4 OK SEARCH completed
      C: a5 SEARCH CHARSET UTF-8 SUBJECT {6}
      S: + Ready for literal data
      C: grüß
      S: * SEARCH 3
      S: a5 OK SEARCH completed
      C: a6 SEARCH HEADER X-Mailer tester
      S: * SEARCH 3
      S: a6 OK SEARCH completed
      C: a7 SEARCH BODY pizza
      S: * SEARCH 1
      S: a7 OK SEARCH completed
      C: a8 SEARCH TEXT "quarterly"
      S: * SEARCH 2
      S: a8 OK SEARCH completed
      C: a8b SEARCH CHARSET UTF-8 TEXT {6}
      S: + Ready for literal data
      C: GRÜß
      S: * SEARCH 3
      S: a8b OK SEARCH completed
      C: a8c SEARCH OR BODY izz NOT TEXT e
      S: * SEARCH 1
      S: a8c OK SEARCH completed
      C: a9 SEARCH LARGER 400
      S: * SEARCH 2
      S: a9 OK SEARCH completed
      C: a10 SEARCH OR SEEN FLAGGED
      S: * SEARCH 1 2
      S: a10 OK SEARCH completed
      C: a11 SEARCH NOT (OR SEEN FLAGGED)
      S: * SEARCH 3
      S: a11 OK SEARCH completed
      C: a12 UID SEARCH 2:* UID 1:2
      S: * SEARCH 2
      S: a12 OK UID SEARCH completed
      C: a13 SEARCH SINCE 20-Nov-2026 BEFORE 21-Nov-2026 ON 20-Nov-2026 SENTON 20-Nov-2026
      S: * SEARCH 1 2 3
      S: a13 OK SEARCH completed
      C: a14 SEARCH BEFORE 1-Jan-2020
      S: * SEARCH
      S: a14 OK SEARCH completed
      C: a15 SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN
      S: * ESEARCH (TAG "a15") MIN 2 MAX 3 ALL 2:3 COUNT 2
      S: a15 OK SEARCH completed
      C: a16 SEARCH MODSEQ 5
      S: * SEARCH 2 (MODSEQ 5)
      S: a16 OK [HIGHESTMODSEQ 5] SEARCH completed
      C: a17 SEARCH NEW
      S: * SEARCH 2 3
      S: a17 OK SEARCH completed
    `);
  });

  it('refuses bad criteria and unknown charsets', async () => {
    await client.transcript(`
      C: b1 SEARCH
      S: b1 BAD missing search criteria
      C: b2 SEARCH BOGUS
      S: b2 BAD unknown search key BOGUS
      C: b3 SEARCH SINCE yesterday
      S: b3 BAD invalid date "yesterday"
      C: b4 SEARCH CHARSET KOI8-R ALL
      S: b4 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset KOI8-R
      C: b5 SEARCH OR SEEN
      S: b5 BAD missing search key
      C: b6 SEARCH (SEEN
      S: b6 BAD unbalanced parenthesis
    `);
  });
});

describe('IMAP SEARCH in the wrong state', () => {
  const imap = imapFixture();

  it('refuses SEARCH without a selected mailbox', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: w1 SEARCH ALL
      S: w1 BAD SEARCH is not allowed without a selected mailbox
    `);
  });
});

describe('IMAP SEARCH RETURN (MIN MAX) with MODSEQ', () => {
  const imap = imapFixture();

  it('gives the mod-sequence of the messages returned, and tells the session that enabled CONDSTORE its HIGHESTMODSEQ', async () => {
    await deliverTo(imap.server, imap.server.alice, [1, 2, 3, 4].map((n) => buildMessage({ subject: `m${n}` })));
    const client = await imap.selected();
    const other = await imap.selected();
    // Modseqs: delivery gave 2..5; these stores make message 3 the newest, then 2.
    await other.command('o1 STORE 3 +FLAGS (\\Flagged)');
    await other.command('o2 STORE 2 +FLAGS (\\Flagged)');
    await client.transcript(`
      C: a1 SEARCH RETURN (MIN) MODSEQ 1
      S: * ESEARCH (TAG "a1") MIN 1 MODSEQ 2
      S: * 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent) MODSEQ (7))
      S: * 3 FETCH (UID 3 FLAGS (\\Flagged \\Recent) MODSEQ (6))
      S: a1 OK [HIGHESTMODSEQ 7] SEARCH completed
      C: a2 SEARCH RETURN (MAX) MODSEQ 1
      S: * ESEARCH (TAG "a2") MAX 4 MODSEQ 5
      S: a2 OK SEARCH completed
      C: a3 SEARCH RETURN (MIN MAX) FLAGGED MODSEQ 1
      S: * ESEARCH (TAG "a3") MIN 2 MAX 3 MODSEQ 7
      S: a3 OK SEARCH completed
      C: a4 UID SEARCH RETURN (MIN) FLAGGED MODSEQ 1
      S: * ESEARCH (TAG "a4") UID MIN 2 MODSEQ 7
      S: a4 OK UID SEARCH completed
      C: a5 SEARCH RETURN (MAX COUNT) MODSEQ 1
      S: * ESEARCH (TAG "a5") MAX 4 COUNT 4 MODSEQ 7
      S: a5 OK SEARCH completed
      C: a6 SEARCH RETURN (MIN) MODSEQ 99
      S: * ESEARCH (TAG "a6")
      S: a6 OK SEARCH completed
      C: a7 SEARCH RETURN (MIN) MODSEQ
      S: a7 BAD missing modseq
      C: a8 SEARCH RETURN (LOWEST) MODSEQ 1
      S: a8 BAD unknown RETURN option LOWEST
    `);
  });
});

for (const engine of ENGINES) describe(`IMAP SEARCH SENTBEFORE, SENTON and SENTSINCE on ${engine}`, () => {
  const imap = imapFixture(engine);

  it('compare the Date field as written, disregarding time and timezone, also for a message another session appends', async () => {
    await imap.authenticated().then((c) => c.command('p0 CREATE Dates'));
    await deliverTo(
      imap.server,
      imap.server.alice,
      [
        // The 21st in UTC, the 20th as written.
        buildMessage({ subject: 'late', headers: { Date: 'Fri, 20 Nov 2026 23:30:00 -0500' } }),
        // The 20th in UTC, the 21st as written.
        buildMessage({ subject: 'early', headers: { Date: 'Sat, 21 Nov 2026 00:30:00 +0200' } }),
        buildMessage({ subject: 'old style', headers: { Date: '21 Nov 26 12:00 EST' } }),
      ],
      { mailbox: 'Dates' },
    );
    const client = await imap.selected('Dates');
    const other = await imap.authenticated();
    await client.transcript(`
      C: a1 SEARCH SENTON 20-Nov-2026
      S: * SEARCH 1
      S: a1 OK SEARCH completed
      C: a2 SEARCH SENTON 21-Nov-2026
      S: * SEARCH 2 3
      S: a2 OK SEARCH completed
      C: a3 SEARCH SENTBEFORE 21-Nov-2026
      S: * SEARCH 1
      S: a3 OK SEARCH completed
      C: a4 SEARCH SENTSINCE 21-Nov-2026
      S: * SEARCH 2 3
      S: a4 OK SEARCH completed
      C: a5 SEARCH SENTON 32-Nov-2026
      S: a5 BAD invalid date "32-Nov-2026"
      C: a6 SEARCH SENTSINCE
      S: a6 BAD missing date
    `);
    const message = 'Date: Sun, 22 Nov 2026 01:00:00 +1400\r\nSubject: far east\r\n\r\nhi\r\n';
    await other.transcript(`
      C: b1 APPEND Dates {${message.length}+}
      ${literalLines(message)}
      S: b1 OK [APPENDUID {any}] APPEND completed
    `);
    await client.transcript(`
      C: a7 NOOP
      S: * 4 EXISTS
      S: * 4 RECENT
      S: a7 OK NOOP completed
      C: a8 SEARCH SENTON 22-Nov-2026
      S: * SEARCH 4
      S: a8 OK SEARCH completed
    `);
  });
});

for (const engine of ENGINES) describe(`IMAP SEARCH on address fields and header presence on ${engine}`, () => {
  const imap = imapFixture(engine);
  const raw = (lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n\r\nbody\r\n`);

  it('matches substrings of the whole field (names, groups, local parts), and "" the messages that have the field', async () => {
    await imap.authenticated().then((c) => c.command('p0 CREATE People'));
    await deliverTo(
      imap.server,
      imap.server.alice,
      [
        raw(['From: "User From" <user-from1@example.test>', 'To: "Real To" <realto@example.test>', 'Cc: "Real Cc" <realcc@example.test>', 'Subject: first']),
        raw(['From: user-from2@example.test', 'To: groupname: g1@d1.test, g2@d2.test;', 'Bcc: =?utf-8?q?J=C3=B6rg?= <hidden@example.test>', 'Subject: second']),
        raw(['From: nobody@example.test']),
      ],
      { mailbox: 'People' },
    );
    const client = await imap.selected('People');
    const other = await imap.authenticated();
    await client.transcript(`
      C: a1 SEARCH TO realto
      S: * SEARCH 1
      S: a1 OK SEARCH completed
      C: a2 SEARCH TO "real to"
      S: * SEARCH 1
      S: a2 OK SEARCH completed
      C: a3 SEARCH CC ealc
      S: * SEARCH 1
      S: a3 OK SEARCH completed
      C: a4 SEARCH FROM user-from2
      S: * SEARCH 2
      S: a4 OK SEARCH completed
      C: a5 SEARCH FROM "user from"
      S: * SEARCH 1
      S: a5 OK SEARCH completed
      C: a6 SEARCH TO groupname
      S: * SEARCH 2
      S: a6 OK SEARCH completed
      C: a7 SEARCH TO d2.test
      S: * SEARCH 2
      S: a7 OK SEARCH completed
      C: a8 SEARCH CHARSET UTF-8 BCC {5}
      S: + Ready for literal data
      C: jörg
      S: * SEARCH 2
      S: a8 OK SEARCH completed
      C: a9 SEARCH HEADER TO ""
      S: * SEARCH 1 2
      S: a9 OK SEARCH completed
      C: a10 SEARCH NOT HEADER TO ""
      S: * SEARCH 3
      S: a10 OK SEARCH completed
      C: a11 SEARCH HEADER SUBJECT ""
      S: * SEARCH 1 2
      S: a11 OK SEARCH completed
      C: a12 SEARCH NOT HEADER SUBJECT ""
      S: * SEARCH 3
      S: a12 OK SEARCH completed
      C: a13 SEARCH SUBJECT ""
      S: * SEARCH 1 2
      S: a13 OK SEARCH completed
      C: a14 SEARCH TO
      S: a14 BAD missing search string
      C: a15 SEARCH HEADER TO
      S: a15 BAD missing search string
    `);
    const message = 'From: x@example.test\r\nTo: "Late Group": ;\r\n\r\nhi\r\n';
    await other.transcript(`
      C: b1 APPEND People {${message.length}+}
      ${literalLines(message)}
      S: b1 OK [APPENDUID {any}] APPEND completed
    `);
    await client.transcript(`
      C: a16 NOOP
      S: * 4 EXISTS
      S: * 4 RECENT
      S: a16 OK NOOP completed
      C: a17 SEARCH TO "late group"
      S: * SEARCH 4
      S: a17 OK SEARCH completed
      C: a18 SEARCH NOT HEADER SUBJECT ""
      S: * SEARCH 3 4
      S: a18 OK SEARCH completed
    `);
  });

  it('answers the same for contents stored before their search fields were kept', async () => {
    const client = await imap.selected('People');
    const searches = ['TO realto', 'CC ealc', 'FROM "user from"', 'TO groupname', 'TO "late group"', 'BCC "rg <hid"', 'HEADER TO ""', 'NOT HEADER BCC ""', 'SENTON 20-Nov-2026', 'OR FROM nobody HEADER X-Mailer ""'];
    const answers = async () => {
      const out: string[][] = [];
      for (const [i, search] of searches.entries()) out.push(await client.command(`f${i} SEARCH ${search}`));
      return out;
    };
    const stored = await answers();
    assert.deepEqual(stored[5], ['* SEARCH 2', 'f5 OK SEARCH completed']);
    // As the migration leaves older contents: no search fields, the header read on demand.
    const prisma = imap.server.daemon.context.store.database.prisma;
    // On SQLite the delivery thread writes them after the commits, once deliveries pause (a bound only so that a broken thread fails the test instead of hanging it).
    for (const started = Date.now(); (await prisma.messageSearchFields.count()) < 4 && Date.now() - started < 60_000; ) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await prisma.messageSearchFields.count(), 4);
    await prisma.messageSearchFields.deleteMany({});
    assert.deepEqual(await answers(), stored);
  });
});

describe('IMAP SEARCH RECENT, NEW and OLD (RFC 3501 6.4.4)', () => {
  const imap = imapFixture();

  it('match the \\Recent of this session only, also for a message that arrives while both sessions have the mailbox selected', async () => {
    await imap.authenticated().then((c) => c.command('p0 CREATE News'));
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'read' })], { mailbox: 'News', flags: ['\\Seen'] });
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'unread' }), buildMessage({ subject: 'unread too' })], { mailbox: 'News' });
    const first = await imap.selected('News');
    const second = await imap.selected('News');
    await first.transcript(`
      C: a1 SEARCH RECENT
      S: * SEARCH 1 2 3
      S: a1 OK SEARCH completed
      C: a2 SEARCH NEW
      S: * SEARCH 2 3
      S: a2 OK SEARCH completed
      C: a3 SEARCH OLD
      S: * SEARCH
      S: a3 OK SEARCH completed
      C: a4 SEARCH OR OLD SEEN
      S: * SEARCH 1
      S: a4 OK SEARCH completed
      C: a5 SEARCH RETURN (COUNT) NOT NEW
      S: * ESEARCH (TAG "a5") COUNT 1
      S: a5 OK SEARCH completed
      C: a6 SEARCH NEW BOGUS
      S: a6 BAD unknown search key BOGUS
      C: a7 SEARCH (RECENT
      S: a7 BAD unbalanced parenthesis
    `);
    await second.transcript(`
      C: b1 SEARCH RECENT
      S: * SEARCH
      S: b1 OK SEARCH completed
      C: b2 SEARCH OLD
      S: * SEARCH 1 2 3
      S: b2 OK SEARCH completed
    `);
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'newest' })], { mailbox: 'News' });
    await second.transcript(`
      C: b3 NOOP
      S: * 4 EXISTS
      S: * 1 RECENT
      S: b3 OK NOOP completed
      C: b4 UID SEARCH NEW
      S: * SEARCH 4
      S: b4 OK UID SEARCH completed
    `);
    await first.transcript(`
      C: a8 NOOP
      S: * 4 EXISTS
      S: * 3 RECENT
      S: a8 OK NOOP completed
      C: a9 SEARCH OLD
      S: * SEARCH 4
      S: a9 OK SEARCH completed
    `);
  });
});
