// SORT, ESORT and THREAD against Dovecot 2.3 (which implements RFC 5256,
// 5957 and 5267): the same messages are appended to both servers with the
// same internal dates, and every command's untagged answer and status must
// be the same, byte for byte.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../../support/databases.ts';
import { DOVECOT_PASSWORD, DOVECOT_USER, startDovecot, type RunningDovecot } from '../../support/dovecot.ts';
import { connectRaw, loggedIn, startImapServer, type ImapTestServer, type RawImapClient } from '../imap-harness.ts';
import { SORT_COMMANDS, SORT_CORPUS } from './sort-corpus.ts';

async function appendCorpus(client: RawImapClient): Promise<void> {
  // A first message, expunged, makes every UID one more than its sequence number.
  const first = SORT_CORPUS[0].raw;
  client.send(`ap APPEND INBOX (\\Deleted) {${first.length}+}\r\n`);
  client.send(Buffer.concat([first, Buffer.from('\r\n')]));
  await client.until('ap');
  await client.command('s0 SELECT INBOX');
  await client.command('x0 EXPUNGE');
  for (const [i, { raw, internalDate }] of SORT_CORPUS.entries()) {
    client.send(`ap${i} APPEND INBOX () "${internalDate}" {${raw.length}+}\r\n`);
    client.send(Buffer.concat([raw, Buffer.from('\r\n')]));
    const lines = await client.until(`ap${i}`);
    assert.match(lines[lines.length - 1], new RegExp(`^ap${i} OK`), lines.join('\n'));
  }
  const selected = await client.command('s1 SELECT INBOX');
  assert.ok(selected.includes(`* ${SORT_CORPUS.length} EXISTS`), selected.join('\n'));
}

/** The answer's lines that are not incidental (SORT, THREAD, ESEARCH), and the tagged status word. */
async function answer(client: RawImapClient, tag: string, command: string): Promise<string[]> {
  const lines = await client.command(`${tag} ${command}`);
  const tagged = lines[lines.length - 1].split(' ').slice(0, 2).join(' ');
  // Dovecot ends an empty THREAD with a space ("* THREAD "); RFC 5256 4 has none ("THREAD" [SP 1*thread-list]).
  return [...lines.filter((l) => /^\* (SORT|THREAD|ESEARCH)\b/.test(l)).map((l) => l.trimEnd()), tagged];
}

for (const engine of ENGINES) describe(`SORT and THREAD answer as Dovecot does (ours on ${engine})`, async () => {
  let server: ImapTestServer;
  let dovecot: RunningDovecot | null;
  let ours: RawImapClient;
  let theirs: RawImapClient;
  dovecot = await startDovecot('imap', []);
  const skip = dovecot ? false : 'Dovecot is not installed (apt-get install -y dovecot-imapd)';

  before(async () => {
    if (!dovecot) return;
    server = await startImapServer(engine);
    ours = await loggedIn(server.port);
    theirs = await connectRaw(dovecot.port);
    const login = await theirs.command(`L1 LOGIN ${DOVECOT_USER} ${DOVECOT_PASSWORD}`);
    assert.match(login[login.length - 1], /^L1 OK/);
    await appendCorpus(ours);
    await appendCorpus(theirs);
  });
  after(async () => {
    ours?.close();
    theirs?.close();
    await dovecot?.stop();
    await server?.dispose();
  });

  it(`gives the same answers to ${SORT_COMMANDS.length} SORT and THREAD commands`, { skip }, async () => {
    const differences: string[] = [];
    for (const [i, command] of SORT_COMMANDS.entries()) {
      const [mine, dovecots] = [await answer(ours, `c${i}`, command), await answer(theirs, `c${i}`, command)];
      // SORT_DOVECOT_SHOW=1 prints every answer, to read what is compared.
      if (process.env.SORT_DOVECOT_SHOW) console.log(command, '\n ', mine.join(' | '));
      if (JSON.stringify(mine) !== JSON.stringify(dovecots)) differences.push(`${command}\n  ours:    ${mine.join(' | ')}\n  Dovecot: ${dovecots.join(' | ')}`);
    }
    assert.deepEqual(differences, []);
  });

  it('refuses what Dovecot refuses: unknown keys and algorithms, a missing charset or criteria', { skip }, async () => {
    for (const [i, command] of [
      'SORT (FOO) UTF-8 ALL',
      'SORT () UTF-8 ALL',
      'SORT (DATE REVERSE) UTF-8 ALL',
      'SORT DATE UTF-8 ALL',
      'SORT (DATE)',
      'SORT (DATE) UTF-8',
      'SORT (DATE) UTF-8 BOGUS',
      'THREAD FOO UTF-8 ALL',
      'THREAD REFERENCES',
      'THREAD REFERENCES UTF-8 SINCE yesterday',
    ].entries()) {
      const [mine, dovecots] = [await answer(ours, `e${i}`, command), await answer(theirs, `e${i}`, command)];
      assert.deepEqual(mine, dovecots, command);
    }
  });
});
