// CAPABILITY (RFC 3501 6.1.1), any state: what is offered changes with login.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { imapFixture } from '../imap-harness.ts';

describe('IMAP CAPABILITY', () => {
  const imap = imapFixture();

  it('lists AUTH=PLAIN before login and no AUTH= mechanisms after it; COMPRESS=DEFLATE only after it (RFC 4978)', async () => {
    const client = await imap.anonymous();
    const [before] = await client.command('a0 CAPABILITY');
    assert.doesNotMatch(before, /COMPRESS/);
    await client.transcript(`
      C: a1 CAPABILITY
      S: * CAPABILITY IMAP4rev1 {any}STARTTLS AUTH=PLAIN
      S: a1 OK CAPABILITY completed
      C: a2 LOGIN alice@example.test "correct horse battery"
      S: a2 OK [CAPABILITY {any}] {any}
      C: a3 CAPABILITY
      S: * CAPABILITY IMAP4rev1 IMAP4rev2 {any}IDLE NOTIFY NAMESPACE{any}UIDPLUS MULTIAPPEND{any}QUOTA=RES-STORAGE STATUS=SIZE UTF8=ACCEPT COMPRESS=DEFLATE
      S: a3 OK CAPABILITY completed
      C: a4 SELECT INBOX
      S: * FLAGS {any}
    `);
    await client.until('a4');
    await client.transcript(`
      C: a5 CAPABILITY
      S: * CAPABILITY IMAP4rev1 {any}
      S: a5 OK CAPABILITY completed
    `);
  });

  it('refuses arguments', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: b1 CAPABILITY IMAP4rev1
      S: b1 BAD {any}
      C: b2 capability
      S: * CAPABILITY {any}
      S: b2 OK CAPABILITY completed
    `);
  });

  it('answers an unknown command or a bad tag with BAD in any state', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: c1 FROBNICATE
      S: c1 BAD Unknown command FROBNICATE
      C: c+2 NOOP
      S: * BAD invalid tag
    `);
  });
});
