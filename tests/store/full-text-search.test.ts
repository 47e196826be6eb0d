// searchMessageText: substring matches over decoded text through the
// database's full-text index, the same on SQLite (FTS5) and PostgreSQL
// (tsvector); copies share the index row, expunge takes it away.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverMessage, withSearchText } from '../../mail-daemon/store/deliver.ts';
import { prepareMessage } from '../../mail-daemon/store/prepared-message.ts';
import { copyMessages } from '../../mail-daemon/store/copy-move.ts';
import { expungeMessages } from '../../mail-daemon/store/expunge.ts';
import { setFlags } from '../../mail-daemon/store/message-flags.ts';
import { findMailbox } from '../../mail-daemon/store/mailboxes.ts';
import { searchMessageText } from '../../mail-daemon/store/full-text-search.ts';
import { MAX_MESSAGE_TEXT, TERM_LENGTH, indexTerms, normalizeSearchText } from '../../mail-daemon/store/message-text.ts';

const base64Body = Buffer.from('Die Prüfung der Straßenbahn ist abgeschlossen.\r\n', 'utf8').toString('base64');
const MESSAGES = [
  buildMessage({ subject: 'Plain', body: 'The quarterly invoice is attached, see figure 12b.\n' }),
  buildMessage({
    subject: '=?utf-8?q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=',
    headers: { 'Content-Transfer-Encoding': 'base64' },
    body: base64Body,
  }),
  buildMessage({
    subject: 'Latin-1 QP',
    headers: { 'Content-Type': 'text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding': 'quoted-printable' },
    body: 'Caf=E9 cr=E8me, tr=E8s bien=\n soft break\n',
  }),
  buildMessage({
    subject: 'HTML only',
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
    body: '<html><head><style>.hidden{}</style></head><body><p>Meeting&nbsp;at <b>noon</b> &amp; lunch</p></body></html>\n',
  }),
];

for (const engine of ENGINES) {
  describe(`full-text search on ${engine}`, () => {
    let store: TestStore;
    let accountId: number;
    let otherAccountId: number;
    let inboxId: number;
    let uids: number[];

    before(async () => {
      store = await createTestStore(engine);
      const [alice, bob] = await addTestAccounts(store, 'example.test', ['alice', 'bob']);
      accountId = alice.id;
      otherAccountId = bob.id;
      inboxId = (await inboxOf(store, accountId)).id;
      uids = [];
      for (const message of MESSAGES) uids.push((await deliverMessage(store, message, [{ accountId }]))[0].uid);
      await deliverMessage(store, MESSAGES[0], [{ accountId: otherAccountId }]);
    });
    after(() => store.dispose());

    const find = async (query: string, part?: 'text' | 'body', mailboxId: number | undefined = inboxId) =>
      (await searchMessageText(store, accountId, { mailboxId, query, part })).map((hit) => hit.uid);

    it('finds words, parts of words and phrases, case-insensitively, in decoded text', async () => {
      assert.deepEqual(await find('quarterly'), [uids[0]]);
      assert.deepEqual(await find('UARTERL'), [uids[0]], 'inside a word');
      assert.deepEqual(await find('invoice is att'), [uids[0]], 'a phrase ending inside a word');
      assert.deepEqual(await find('12b'), [uids[0]]);
      assert.deepEqual(await find('straßenbahn'), [uids[1]], 'base64, UTF-8');
      assert.deepEqual(await find('PRÜFUNG'), [uids[1]]);
      assert.deepEqual(await find('café crème'), [uids[2]], 'quoted-printable, ISO-8859-1');
      assert.deepEqual(await find('bien soft'), [uids[2]], 'a soft line break joins');
      assert.deepEqual(await find('meeting at noon & lunch'), [uids[3]], 'HTML without tags, entities decoded');
      assert.deepEqual(await find('hidden'), [], 'no style sheets');
      assert.deepEqual(await find('quarterly invoice is missing'), []);
      assert.deepEqual(await find('a-very-long-word-that-is-longer-than-any-term'), []);
    });

    it('searches headers with TEXT only, with encoded words decoded', async () => {
      assert.deepEqual(await find('grüße aus köln'), [uids[1]]);
      assert.deepEqual(await find('köln', 'body'), [], 'a word of the header only is not in the body');
      assert.deepEqual(await find('latin', 'body'), [], 'nor is one that is in the header and not in the body');
      assert.deepEqual(await find('quarterly', 'body'), [uids[0]]);
      assert.deepEqual(await find('plain', 'body'), [], 'the subject "Plain" is not body text');
      assert.deepEqual(await find('subject: latin-1'), [uids[2]]);
    });

    it('an empty or word-less query matches every message', async () => {
      assert.deepEqual(await find(''), uids);
      assert.deepEqual(await find('&'), [uids[3]]);
    });

    it('covers every mailbox of the account and no other account', async () => {
      const archive = (await findMailbox(store, accountId, 'Archive'))!;
      const { uidMap } = await copyMessages(store, accountId, inboxId, [uids[0]], archive.id);
      const hits = await searchMessageText(store, accountId, { query: 'quarterly' });
      assert.deepEqual(hits.map((h) => [h.mailboxId, h.uid]).sort(), [[inboxId, uids[0]], [archive.id, uidMap[0][1]]].sort());
      assert.equal((await searchMessageText(store, otherAccountId, { query: 'straßenbahn' })).length, 0);
      await assert.rejects(searchMessageText(store, otherAccountId, { mailboxId: inboxId, query: 'x' }));
    });

    it('drops the text with the last copy, and indexes what was stored without it', async () => {
      const prisma = store.database.prisma;
      const only = buildMessage({ subject: 'Ephemeral', body: 'zanzibar\n' });
      const [copy] = await deliverMessage(store, only, [{ accountId }]);
      assert.deepEqual(await find('zanzibar'), [copy.uid]);
      await setFlags(store, accountId, inboxId, [copy.uid], 'add', ['\\Deleted']);
      await expungeMessages(store, accountId, inboxId);
      assert.deepEqual(await find('zanzibar'), []);
      const count = async () => Number((await prisma.$queryRaw<{ n: number }[]>`SELECT COUNT(*) AS "n" FROM "MessageText"`)[0].n);
      const before = await count();
      assert.equal(before, MESSAGES.length, 'one text per content');

      // As if delivered before the index existed: the first search indexes it.
      const prepared = await prepareMessage(buildMessage({ body: 'timbuktu\n' }));
      const [late] = await deliverMessage(store, { ...prepared, text: null }, [{ accountId }]);
      assert.equal(await count(), before);
      assert.deepEqual(await find('timbuktu'), [late.uid]);
      assert.equal(await count(), before + 1);
    });
  });
}

describe('index terms', () => {
  it('are the suffixes of each word, so a prefix query finds any substring', () => {
    const { terms, complete } = indexTerms(normalizeSearchText('Hello, wörld'));
    assert.equal(complete, true);
    assert.deepEqual(terms.sort(), ['d', 'ello', 'hello', 'ld', 'llo', 'lo', 'o', 'rld', 'wörld', 'örld'].sort());
  });
  it('are cut to TERM_LENGTH characters, not UTF-16 units, in words with and without characters beyond the BMP', () => {
    const plain = 'abcdefghijklmnopqrstu';
    const astral = '𝒳𝒴𝒵abcdefghijklmnopqr';
    const { terms } = indexTerms(`${plain} ${astral}`);
    const suffixes = (word: string) => Array.from(word).map((_, i) => Array.from(word).slice(i, i + TERM_LENGTH).join(''));
    assert.deepEqual(terms.sort(), [...new Set([...suffixes(plain), ...suffixes(astral)])].sort());
    assert.ok(terms.includes('𝒳𝒴𝒵abcdefghijklm'), 'sixteen characters, three of them two units each');
  });
  it('give up on a huge vocabulary, which is then searched without the index', () => {
    const words = Array.from({ length: 50_000 }, (_, i) => `w${i.toString(36)}x`).join(' ');
    assert.equal(indexTerms(words).complete, false);
  });
});

describe('the text of a huge message', () => {
  it(`is decoded and kept up to MAX_MESSAGE_TEXT (${MAX_MESSAGE_TEXT} bytes) only, whatever the encoding`, async () => {
    const line = 'the quick brown fox jumps over the lazy dog again\r\n';
    const text = line.repeat(Math.ceil((3 * MAX_MESSAGE_TEXT) / line.length));
    for (const [encoding, body] of [
      ['8bit', text],
      ['base64', Buffer.from(text).toString('base64').replace(/(.{76})/g, '$1\r\n')],
      ['quoted-printable', text.replace(/ /g, '=20')],
    ]) {
      const prepared = await prepareMessage(buildMessage({ subject: 'big', headers: { 'Content-Transfer-Encoding': encoding }, body: `${body}\r\nneedle at the end\r\n` }));
      const kept = withSearchText(prepared).text!.body;
      assert.ok(kept.length <= MAX_MESSAGE_TEXT && kept.length > MAX_MESSAGE_TEXT - line.length, `${encoding}: ${kept.length}`);
      assert.ok(kept.startsWith(line.trim()), encoding);
      assert.ok(!kept.includes('needle'), `${encoding}: text past the limit is not decoded`);
      assert.equal(prepared.summary.preview.slice(0, 19), 'the quick brown fox');
    }
  });
});
