// ID (RFC 2971), any state.
import { describe, it } from 'node:test';
import { imapFixture } from '../imap-harness.ts';

describe('IMAP ID', () => {
  const imap = imapFixture();

  it('answers with the server identity before and after login', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: a1 ID ("name" "Thunderbird" "version" "128.0")
      S: * ID ("name" "mailplatform" "vendor" "mailplatform")
      S: a1 OK ID completed
      C: a2 LOGIN alice@example.test "correct horse battery"
      S: a2 OK {any}
      C: a3 ID NIL
      S: * ID ("name" "mailplatform" "vendor" "mailplatform")
      S: a3 OK ID completed
    `);
  });

  it('refuses a missing, unbalanced or odd parameter list', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: b1 ID
      S: b1 BAD {any}
      C: b2 ID ("name" "x"
      S: b2 BAD {any}
      C: b3 ID ("name")
      S: b3 BAD {any}
      C: b4 ID name
      S: b4 BAD {any}
    `);
  });
});
