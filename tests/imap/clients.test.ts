// Python's imaplib and curl (imap:// and imaps://) against the server.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { buildMessage } from '../support/messages.ts';
import { deliverTo, startImapServer, TEST_PASSWORD, type ImapTestServer } from './imap-harness.ts';

const run = promisify(execFile);
const script = new URL('./imaplib-client.py', import.meta.url).pathname;

describe('IMAP with imaplib and curl', () => {
  let server: ImapTestServer;
  before(async () => {
    server = await startImapServer('sqlite');
    await deliverTo(server, server.alice, [buildMessage({ subject: 'first' }), buildMessage({ subject: 'second', body: 'Second body.\n' })]);
  });
  after(() => server.dispose());

  it('runs an imaplib session: list, select, search, fetch, store, expunge, append, move', async () => {
    const { stdout } = await run('python3', [script, String(server.port), String(server.tlsPort), 'alice@example.test', TEST_PASSWORD]);
    const out = JSON.parse(stdout);
    assert.ok(out.capabilities.includes('IMAP4REV1') && out.capabilities.includes('STARTTLS'));
    assert.ok(out.list.includes('(\\HasNoChildren \\Sent) "/" "Sent"'));
    assert.equal(out.exists, 2);
    assert.equal(out.search, '2');
    assert.deepEqual(out.fetch, ['Subject: first', 'Subject: second']);
    assert.match(out.rfc822, /^From: Sender <sender@remote\.test>\r\n[\s\S]*\r\n\r\nSecond body\.\r\n$/);
    assert.deepEqual(out.store, ['1 (FLAGS (\\Deleted \\Recent))']);
    assert.deepEqual(out.expunge, ['1']);
    assert.equal(out.append, 'OK');
    assert.equal(out.move, 'OK');
    assert.equal(out.status, '"Archive" (MESSAGES 1 UIDNEXT 2)');
    assert.equal(out.sent, 1);
  });

  it('lists folders and fetches a message with curl over imap:// and imaps://', async () => {
    const user = ['-u', `alice@example.test:${TEST_PASSWORD}`, '-s', '--max-time', '10'];
    const list = await run('curl', [...user, `imap://127.0.0.1:${server.port}/`]);
    assert.match(list.stdout, /\* LIST \(\\HasNoChildren \\Archive\) "\/" "Archive"/);
    const message = await run('curl', [...user, '-k', `imaps://127.0.0.1:${server.tlsPort}/Archive;UID=1`]);
    assert.match(message.stdout, /Subject: second\r\n[\s\S]*Second body\.\r\n$/);
    const search = await run('curl', [...user, `imap://127.0.0.1:${server.port}/Sent`, '-X', 'UID SEARCH SEEN']);
    assert.match(search.stdout, /^\* SEARCH 1\r\n$/);
  });
});
