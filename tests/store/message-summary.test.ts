// The listing columns worked out at delivery.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { simpleParser } from 'mailparser';
import { PREVIEW_LENGTH, parseHeader, summarizeMessage, type MessageSummary } from '../../mail-daemon/store/message-summary.ts';
import { MAX_PARTS } from '../../mail-daemon/store/mime-structure.ts';

// nodemailer ships no types; this is the one piece of it the tests use.
type MailComposerClass = new (mail: object) => { compile(): { build(): Promise<Buffer> } };
const MailComposer = createRequire(import.meta.url)('nodemailer/lib/mail-composer') as MailComposerClass;

function crlf(...lines: string[]): Buffer {
  return Buffer.from(lines.join('\r\n'));
}

const EMPTY: Omit<MessageSummary, 'threadId'> = {
  subject: '',
  fromAddress: '',
  fromName: '',
  toAddresses: '',
  ccAddresses: '',
  sentDate: null,
  messageId: '',
  inReplyTo: '',
  references: '',
  preview: '',
  hasAttachments: false,
};

/** No NUL or other control character can reach a PostgreSQL text column. */
function assertStorable(summary: MessageSummary): void {
  assert.deepEqual(Object.keys(summary).sort(), [...Object.keys(EMPTY), 'threadId'].sort());
  for (const [key, value] of Object.entries(summary)) {
    if (typeof value === 'string') assert.doesNotMatch(value, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/, key);
  }
  assert.ok(summary.sentDate === null || Number.isFinite(summary.sentDate.getTime()));
  assert.ok(summary.threadId.length > 2 && summary.threadId.length <= 250);
}

async function summary(raw: Buffer): Promise<MessageSummary> {
  const result = await summarizeMessage(raw);
  assertStorable(result);
  return result;
}

describe('summarizeMessage', () => {
  it('reads the envelope fields, decoded, with addresses lower-case', async () => {
    const raw = crlf(
      'From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <Juergen.Mueller@Example.COM>',
      'To: Bob <BOB@example.com>, team: Carol <carol@example.com>, dave@example.com;',
      'To: eve@example.com',
      'Cc: "Frank, F." <frank@example.com>',
      'Subject: =?UTF-8?B?R3LDvMOfZQ==?= aus  Berlin',
      'Date: Tue, 1 Jul 2003 10:52:37 +0200',
      'Message-ID: <own@example.com>',
      '',
      'Hallo!',
      '',
    );
    assert.deepEqual(await summary(raw), {
      ...EMPTY,
      subject: 'Grüße aus  Berlin',
      fromAddress: 'juergen.mueller@example.com',
      fromName: 'Jürgen Müller',
      toAddresses: 'bob@example.com, carol@example.com, dave@example.com, eve@example.com',
      ccAddresses: 'frank@example.com',
      sentDate: new Date('2003-07-01T08:52:37Z'),
      messageId: '<own@example.com>',
      threadId: '<own@example.com>',
      preview: 'Hallo!',
    });
  });

  it('gives every message of a conversation the thread id of its first one', async () => {
    const first = await summary(crlf('Message-ID: <root@example.com>', 'Subject: plan', '', 'first'));
    const reply = await summary(crlf('Message-ID: <r1@example.com>', 'In-Reply-To: <root@example.com>', '', 'second'));
    const replyToReply = await summary(
      crlf('Message-ID: <r2@example.com>', 'In-Reply-To: <r1@example.com>', 'References: <root@example.com>', ' <r1@example.com>', '', 'third'),
    );
    assert.deepEqual([first.threadId, reply.threadId, replyToReply.threadId], ['<root@example.com>', '<root@example.com>', '<root@example.com>']);
    assert.deepEqual([reply.inReplyTo, replyToReply.inReplyTo], ['<root@example.com>', '<r1@example.com>']);
    assert.equal(replyToReply.references, '<root@example.com> <r1@example.com>');
  });

  it('makes up a thread id for a message without any id, a new one each time', async () => {
    const raw = crlf('Subject: anonymous', '', 'text');
    const [a, b] = [await summary(raw), await summary(raw)];
    assert.match(a.threadId, /^<[^<>]+>$/);
    assert.notEqual(a.threadId, b.threadId);
    assert.equal(a.messageId, '');
  });

  it('reads message ids with comments, without brackets or folded', async () => {
    const raw = crlf(
      'Message-ID: bare@example.com',
      'In-Reply-To: <parent@example.com> (sent by someone@example.com) <other@example.com>',
      'References: <a@example.com>  b@example.com',
      '\t<c@exa',
      ' mple.com>',
      '',
      'x',
    );
    const result = await summary(raw);
    assert.equal(result.messageId, '<bare@example.com>');
    assert.equal(result.inReplyTo, '<parent@example.com>');
    assert.equal(result.references, '<a@example.com> <b@example.com> <c@example.com>');
    assert.equal(result.threadId, '<a@example.com>');
  });

  it('hashes a thread id too long for an index, the same way every time', async () => {
    const long = `<${'x'.repeat(3000)}@example.com>`;
    const raw = crlf(`References: ${long}`, '', 'x');
    const [a, b] = [await summary(raw), await summary(raw)];
    assert.equal(a.references, long);
    assert.equal(a.threadId, b.threadId);
    assert.ok(a.threadId.length < 250);
  });

  it('has no sent date when Date is missing, unreadable or out of range', async () => {
    for (const date of [null, 'yesterday', 'Mon, 1 Jan 275000 00:00:00 +0000', '']) {
      const raw = date === null ? crlf('Subject: x', '', 'x') : crlf(`Date: ${date}`, '', 'x');
      assert.equal((await summary(raw)).sentDate, null, String(date));
    }
    const obsolete = await summary(crlf('Date: 1 Jul 03 10:52 PDT (Pacific)', '', 'x'));
    assert.equal(obsolete.sentDate?.toISOString(), '2003-07-01T17:52:00.000Z');
  });

  it('previews the text part of multipart/alternative, whitespace collapsed', async () => {
    const raw = crlf(
      'Content-Type: multipart/alternative; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello   there,',
      '',
      '\tthis is\u00a0the text.',
      '--b',
      'Content-Type: text/html',
      '',
      '<p>HTML version</p>',
      '--b--',
    );
    assert.equal((await summary(raw)).preview, 'Hello there, this is the text.');
  });

  it('previews HTML as text when there is no text part', async () => {
    const raw = crlf('Content-Type: text/html; charset=utf-8', '', '<html><head><style>p { color: red }</style><title>t</title></head><body><p>Hello&nbsp;<b>world</b></p><p>again</p></body></html>');
    assert.equal((await summary(raw)).preview, 'Hello world again');
  });

  it('previews the start of HTML too long to convert whole', async () => {
    const raw = Buffer.from('Content-Type: text/html\r\n\r\n<p>Start here</p>' + '<div><p>Some <b>bold</b> text</p></div>\n'.repeat(60_000));
    assert.ok(raw.length > 2_000_000);
    assert.match((await summary(raw)).preview, /^Start here Some bold text Some bold text/);
  });

  it(`cuts the preview at ${PREVIEW_LENGTH} characters, never inside a surrogate pair`, async () => {
    const raw = Buffer.from(`Content-Type: text/plain; charset=utf-8\r\n\r\n${'a'.repeat(PREVIEW_LENGTH - 1)}😀😀😀 and more`);
    const { preview } = await summary(raw);
    assert.equal(Array.from(preview).length, PREVIEW_LENGTH);
    assert.ok(preview.endsWith('😀'));
  });

  it('says whether there are attachments, not counting images embedded in the HTML', async () => {
    const withAttachment = crlf(
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      '',
      'see attached',
      '--b',
      'Content-Type: application/pdf',
      'Content-Disposition: attachment; filename="a.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      'JVBERi0=',
      '--b--',
    );
    const embedded = crlf(
      'Content-Type: multipart/related; boundary=r',
      '',
      '--r',
      'Content-Type: text/html',
      '',
      '<img src="cid:logo@x">',
      '--r',
      'Content-Type: image/png',
      'Content-ID: <logo@x>',
      'Content-Transfer-Encoding: base64',
      '',
      'iVBORw0KGgo=',
      '--r--',
    );
    const forwarded = crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'fwd', '--b', 'Content-Type: message/rfc822', '', 'Subject: old', '', 'old text', '--b--');
    assert.equal((await summary(withAttachment)).hasAttachments, true);
    assert.equal((await summary(embedded)).hasAttachments, false);
    assert.equal((await summary(forwarded)).hasAttachments, true);
    assert.equal((await summary(crlf('Subject: plain', '', 'text'))).hasAttachments, false);
  });

  it('returns empty fields for garbage, never throwing', async () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const inputs = [Buffer.alloc(0), Buffer.from([0, 0, 0]), Buffer.from('\r\n\r\n'), Buffer.from(':::\n\n\0')];
    for (let i = 0; i < 50; i++) inputs.push(Buffer.from(Array.from({ length: Math.floor(next() * 3000) }, () => Math.floor(next() * 256))));
    for (const raw of inputs) await summary(raw);
    const { threadId, ...rest } = await summary(Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x0d]));
    assert.deepEqual(rest, EMPTY);
    assert.ok(threadId);
  });

  it('drops NUL and other control characters that a database column cannot take', async () => {
    const raw = crlf('Subject: a\u0000b\u0007c', 'From: "Ann\u0001" <ann@example.com>', '', 'body\u0000text');
    const result = await summary(raw);
    assert.deepEqual([result.subject, result.fromName, result.preview], ['abc', 'Ann', 'bodytext']);
  });

  it('still reads the header of a message with more parts than the parser takes', async () => {
    const raw = Buffer.from('Subject: many parts\r\nFrom: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n' + '--b\r\n\r\nx\r\n'.repeat(MAX_PARTS + 10) + '--b--\r\n');
    const result = await summary(raw);
    assert.deepEqual([result.subject, result.fromAddress], ['many parts', 'a@example.com']);
  });

  it('decodes header fields as mailparser\'s simpleParser does, without its streams', async () => {
    const headers = [
      crlf('Subject: =?ISO-8859-1?Q?Caf=E9?= =?UTF-8?B?4pyT?=', 'From: =?KOI8-R?B?5M3J1NLJyg==?= <dmitri@example.ru>', 'To: a@example.com', ''),
      Buffer.concat([Buffer.from('Subject: '), Buffer.from('Grüße, raw UTF-8'), Buffer.from('\r\nFrom: '), Buffer.from([0x4a, 0xfc, 0x72, 0x67, 0x65, 0x6e]), Buffer.from(' <j@example.com>\r\n\r\n')]),
      crlf('Subject: folded', '\tacross  lines', ' and more', 'To: Team: a@example.com,', '  "B, b" <b@example.com>;, c@xn--mller-kva.example', 'Cc: =?UTF-8?Q?=3Cx=40evil=2Eexample=3E?= <real@example.com>', ''),
      crlf('From: first@example.com', 'From: second@example.com', 'To: a@example.com', 'To: b@example.com', 'Cc: ', ''),
      crlf('From x@y Mon Jan  1 00:00:00 2024', 'Subject: after an mbox line', ''),
      crlf('no colon on the first line', 'Subject: then one', 'a line without colon', ' Subject2: named by its continuation', ''),
      Buffer.from('Subject: bare LF\nFrom: lf@example.com\n\n'),
      crlf('Subject: =?UTF-8?Q?broken', 'From: <>', 'To: undisclosed-recipients:;', ''),
      Buffer.from('Subject: trailing\r\n' + '\r'.repeat(1000)),
      Buffer.alloc(0),
    ];
    for (const header of headers) {
      const mine = parseHeader(header);
      const theirs = await simpleParser(header, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, keepCidLinks: true });
      const label = JSON.stringify(header.toString('latin1').slice(0, 60));
      assert.ok(mine, label);
      assert.deepEqual(mine.headerLines, theirs.headerLines, label);
      assert.deepEqual([mine.subject, mine.from, mine.to, mine.cc], [theirs.subject, theirs.from, theirs.to, theirs.cc], label);
    }
  });

  it('agrees with what MailComposer wrote', async () => {
    const raw = await new MailComposer({
      from: { name: 'Ann Example', address: 'Ann@Example.com' },
      to: ['bob@example.com', { name: 'Carol', address: 'CAROL@example.com' }],
      cc: 'dave@example.com',
      subject: 'Quarterly numbers ✓',
      messageId: '<q3@example.com>',
      inReplyTo: '<q2@example.com>',
      references: ['<q1@example.com>', '<q2@example.com>'],
      date: new Date('2024-05-06T07:08:09Z'),
      text: 'The numbers are in the attachment.\n\nAnn',
      html: '<p>The numbers are in the attachment.</p>',
      attachments: [{ filename: 'numbers.csv', content: 'a,b\n1,2\n' }],
    }).compile().build();
    assert.deepEqual(await summary(raw), {
      subject: 'Quarterly numbers ✓',
      fromAddress: 'ann@example.com',
      fromName: 'Ann Example',
      toAddresses: 'bob@example.com, carol@example.com',
      ccAddresses: 'dave@example.com',
      sentDate: new Date('2024-05-06T07:08:09Z'),
      messageId: '<q3@example.com>',
      inReplyTo: '<q2@example.com>',
      references: '<q1@example.com> <q2@example.com>',
      threadId: '<q1@example.com>',
      preview: 'The numbers are in the attachment. Ann',
      hasAttachments: true,
    });
  });
});
