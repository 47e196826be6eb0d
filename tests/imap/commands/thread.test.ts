// THREAD and UID THREAD (RFC 5256 4) with ORDEREDSUBJECT and REFERENCES.
import { describe, it, before } from 'node:test';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, imapFixture, type RawImapClient } from '../imap-harness.ts';
import { LUNCH_THREADS } from '../sort/sort-corpus.ts';

describe('IMAP THREAD', () => {
  const imap = imapFixture();
  let client: RawImapClient;
  before(async () => {
    // The first is expunged below, so that UIDs are one more than sequence numbers.
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'gone' }), ...LUNCH_THREADS]);
    client = await imap.selected();
    await client.command('p1 STORE 1 +FLAGS (\\Deleted)');
    await client.command('p2 EXPUNGE');
  });

  it('threads by references and by subject, by sequence number or UID', async () => {
    await client.transcript(`
      C: a1 THREAD REFERENCES UTF-8 ALL
      S: * THREAD ((4)(5))(1 (3)(2)(6))
      S: a1 OK THREAD completed
      C: a2 UID THREAD REFERENCES UTF-8 ALL
      S: * THREAD ((5)(6))(2 (4)(3)(7))
      S: a2 OK UID THREAD completed
      C: a3 THREAD ORDEREDSUBJECT UTF-8 ALL
      S: * THREAD (4)(1 (3)(2)(6))(5)
      S: a3 OK THREAD completed
      C: a4 thread references us-ascii SUBJECT lunch NOT HEADER Message-ID l4@
      S: * THREAD (1 (3)(2))
      S: a4 OK THREAD completed
      C: a5 THREAD REFERENCES UTF-8 SUBJECT nothing
      S: * THREAD
      S: a5 OK THREAD completed
    `);
  });

  it('refuses unknown algorithms, a missing charset or criteria, bad criteria and unknown charsets', async () => {
    await client.transcript(`
      C: b1 THREAD REFS UTF-8 ALL
      S: b1 BAD unknown threading algorithm REFS
      C: b2 THREAD
      S: b2 BAD missing threading algorithm
      C: b3 THREAD REFERENCES
      S: b3 BAD missing charset
      C: b4 THREAD REFERENCES UTF-8
      S: b4 BAD missing search criteria
      C: b5 THREAD REFERENCES UTF-8 SINCE yesterday
      S: b5 BAD invalid date "yesterday"
      C: b6 THREAD ORDEREDSUBJECT ISO-2022-JP ALL
      S: b6 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset ISO-2022-JP
      C: b7 THREAD (REFERENCES) UTF-8 ALL
      S: b7 BAD threading algorithm must be an atom
    `);
  });
});

describe('IMAP THREAD in the wrong state', () => {
  const imap = imapFixture();

  it('refuses THREAD without a selected mailbox and before login', async () => {
    const authenticated = await imap.authenticated();
    await authenticated.transcript(`
      C: w1 THREAD REFERENCES UTF-8 ALL
      S: w1 BAD THREAD is not allowed without a selected mailbox
      C: w2 UID THREAD REFERENCES UTF-8 ALL
      S: w2 BAD UID THREAD is not allowed without a selected mailbox
    `);
    const anonymous = await imap.anonymous();
    await anonymous.transcript(`
      C: w3 THREAD ORDEREDSUBJECT UTF-8 ALL
      S: w3 BAD THREAD is not allowed before login
    `);
  });
});
