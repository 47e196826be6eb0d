// SORT and UID SORT (RFC 5256 3), SORT=DISPLAY (RFC 5957) and ESORT (RFC 5267).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, imapFixture, type RawImapClient } from '../imap-harness.ts';

describe('IMAP SORT', () => {
  const imap = imapFixture();
  let client: RawImapClient;
  before(async () => {
    await deliverTo(imap.server, imap.server.alice, [
      buildMessage({ subject: 'Re: [list] banana', from: 'Zed <zed@z.test>', to: 'Bob <bob@b.test>', headers: { Date: 'Tue, 3 Nov 2026 10:00:00 +0000', Cc: 'c@c.test' } }),
      buildMessage({ subject: 'apple', from: '=?utf-8?q?=C3=89mile?= <yves@e.test>', to: 'alice@example.test', body: 'A longer body than the others.\n'.repeat(5) }),
      // Without a Date field: its internal date (20 Nov) is its sent date.
      buildMessage({ subject: '=?utf-8?q?Banana_split?=', from: 'adam@a.test', to: 'Carl <carl@c.test>', headers: { Date: '' } }),
      buildMessage({ subject: 'Fwd: Apple', from: 'Bea <bea@b.test>', to: '"Zora" <aaron@a.test>', headers: { Date: 'Mon, 2 Nov 2026 23:00:00 -0500' } }),
    ]);
    client = await imap.selected();
  });

  // Base subjects: banana, apple, banana split, apple. Sent dates: 3 Nov 10:00, 20 Nov 10:00, none (its
  // internal date, 20 Nov 10:00), 3 Nov 04:00 UTC. Every internal date is the same.
  it('sorts by each key, REVERSE and ties by sequence number', async () => {
    await client.transcript(`
      C: a1 SORT (SUBJECT) UTF-8 ALL
      S: * SORT 2 4 1 3
      S: a1 OK SORT completed
      C: a2 SORT (REVERSE SUBJECT REVERSE ARRIVAL) UTF-8 ALL
      S: * SORT 3 1 2 4
      S: a2 OK SORT completed
      C: a3 SORT (DATE) UTF-8 ALL
      S: * SORT 4 1 2 3
      S: a3 OK SORT completed
      C: a4 SORT (FROM) US-ASCII ALL
      S: * SORT 3 4 2 1
      S: a4 OK SORT completed
      C: a5 SORT (DISPLAYFROM) UTF-8 ALL
      S: * SORT 3 4 2 1
      S: a5 OK SORT completed
      C: a6 SORT (TO) UTF-8 ALL
      S: * SORT 4 2 1 3
      S: a6 OK SORT completed
      C: a7 SORT (DISPLAYTO) UTF-8 ALL
      S: * SORT 2 1 3 4
      S: a7 OK SORT completed
      C: a8 SORT (CC SIZE) UTF-8 ALL
      S: * SORT 3 4 2 1
      S: a8 OK SORT completed
      C: a9 SORT (REVERSE SIZE) UTF-8 ALL
      S: * SORT 2 1 4 3
      S: a9 OK SORT completed
      C: a10 SORT (ARRIVAL) UTF-8 ALL
      S: * SORT 1 2 3 4
      S: a10 OK SORT completed
    `);
  });

  it('takes SEARCH criteria, answers UID SORT with UIDs and RETURN with ESEARCH in sort order', async () => {
    await client.command('p1 STORE 2 +FLAGS (\\Seen)');
    await client.transcript(`
      C: b1 SORT (SUBJECT) UTF-8 UNSEEN SUBJECT banana
      S: * SORT 1 3
      S: b1 OK SORT completed
      C: b2 UID SORT (REVERSE SUBJECT) UTF-8 2:4
      S: * SORT 3 2 4
      S: b2 OK UID SORT completed
      C: b3 SORT RETURN (MIN MAX COUNT ALL) (SUBJECT) UTF-8 ALL
      S: * ESEARCH (TAG "b3") MIN 2 MAX 3 ALL 2,4,1,3 COUNT 4
      S: b3 OK SORT completed
      C: b4 UID SORT RETURN () (ARRIVAL) UTF-8 ALL
      S: * ESEARCH (TAG "b4") UID ALL 1:4
      S: b4 OK UID SORT completed
      C: b5 SORT RETURN (COUNT) (DATE) UTF-8 SUBJECT cherry
      S: * ESEARCH (TAG "b5") COUNT 0
      S: b5 OK SORT completed
      C: b6 SORT (DATE) UTF-8 SUBJECT cherry
      S: * SORT
      S: b6 OK SORT completed
      C: b7 SORT (SUBJECT) UTF-8 MODSEQ 1
      S: * SORT 2 4 1 3 (MODSEQ {any})
      S: b7 OK [HIGHESTMODSEQ {any}] SORT completed
    `);
  });

  it('refuses unknown keys, a missing charset or criteria, bad criteria and unknown charsets', async () => {
    await client.transcript(`
      C: c1 SORT (SUBJECT X-SCORE) UTF-8 ALL
      S: c1 BAD unknown sort key X-SCORE
      C: c2 SORT () UTF-8 ALL
      S: c2 BAD empty sort criteria
      C: c3 SORT (DATE REVERSE) UTF-8 ALL
      S: c3 BAD sort criteria end with REVERSE
      C: c4 SORT SUBJECT UTF-8 ALL
      S: c4 BAD missing sort criteria
      C: c5 SORT (SUBJECT)
      S: c5 BAD missing charset
      C: c6 SORT (SUBJECT) UTF-8
      S: c6 BAD missing search criteria
      C: c7 SORT (SUBJECT) UTF-8 BOGUS
      S: c7 BAD unknown search key BOGUS
      C: c8 SORT (SUBJECT) KOI8-R ALL
      S: c8 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset KOI8-R
      C: c9 SORT RETURN (LOWEST) (SUBJECT) UTF-8 ALL
      S: c9 BAD unknown RETURN option LOWEST
      C: c10 SORT ("SUBJECT") UTF-8 ALL
      S: c10 BAD sort criteria must be atoms
    `);
  });
});

describe('IMAP SORT in the wrong state', () => {
  const imap = imapFixture();

  it('refuses SORT without a selected mailbox and before login', async () => {
    const authenticated = await imap.authenticated();
    await authenticated.transcript(`
      C: w1 SORT (DATE) UTF-8 ALL
      S: w1 BAD SORT is not allowed without a selected mailbox
      C: w2 UID SORT (DATE) UTF-8 ALL
      S: w2 BAD UID SORT is not allowed without a selected mailbox
    `);
    const anonymous = await imap.anonymous();
    await anonymous.transcript(`
      C: w3 SORT (DATE) UTF-8 ALL
      S: w3 BAD SORT is not allowed before login
    `);
  });

  it('advertises SORT, SORT=DISPLAY and ESORT', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: k1 CAPABILITY
      S: * CAPABILITY {any} SORT SORT=DISPLAY ESORT THREAD=ORDEREDSUBJECT THREAD=REFERENCES {any}
      S: k1 OK CAPABILITY completed
    `);
  });
});

describe('IMAP SORT and THREAD as the mailbox changes', () => {
  const imap = imapFixture();

  it('see messages appended and expunged after the first SORT (kept values never go stale)', async () => {
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'b' }), buildMessage({ subject: 'c' })]);
    const client = await imap.selected();
    const other = await imap.selected();
    const message = 'Subject: a\r\nMessage-ID: <a@x.test>\r\nReferences: <missing@x.test>\r\n\r\nhi\r\n';
    await client.transcript(`
      C: a1 SORT (SUBJECT) UTF-8 ALL
      S: * SORT 1 2
      S: a1 OK SORT completed
      C: a2 SORT (FROM) UTF-8 ALL
      S: * SORT 1 2
      S: a2 OK SORT completed
      C: a8 UID THREAD REFERENCES UTF-8 ALL
      S: * THREAD (1)(2)
      S: a8 OK UID THREAD completed
    `);
    // Other responses (EXISTS, RECENT) may come with these; only the outcome matters here.
    other.send(`b1 APPEND INBOX {${message.length}+}\r\n${message}\r\n`);
    assert.match((await other.until('b1')).pop()!, /^b1 OK /);
    assert.match((await other.command('b2 STORE 1 +FLAGS.SILENT (\\Deleted)')).pop()!, /^b2 OK /);
    assert.match((await other.command('b3 EXPUNGE')).pop()!, /^b3 OK /);
    const noop = await client.command('a3 NOOP');
    assert.ok(noop.includes('* 3 EXISTS') && noop.includes('* 1 EXPUNGE'), noop.join('\n'));
    await client.transcript(`
      C: a4 SORT (SUBJECT) UTF-8 ALL
      S: * SORT 2 1
      S: a4 OK SORT completed
      C: a5 SORT (REVERSE FROM) UTF-8 ALL
      S: * SORT 1 2
      S: a5 OK SORT completed
      C: a7 SORT (FROM) UTF-8 ALL
      S: * SORT 2 1
      S: a7 OK SORT completed
      C: a6 UID THREAD REFERENCES UTF-8 ALL
      S: * THREAD (2)(3)
      S: a6 OK UID THREAD completed
    `);
  });
});
