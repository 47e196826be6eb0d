// The MIME tree with byte offsets that IMAP slices the stored message by.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { simpleParser } from 'mailparser';
import { MAX_DEPTH, MAX_PARTS, bodyBytes, findPart, headerBytes, parseMimeStructure, type MimeNode } from '../../mail-daemon/store/mime-structure.ts';

// nodemailer ships no types; this is the one piece of it the tests use.
type MailComposerClass = new (mail: object) => { compile(): { build(): Promise<Buffer> } };
const MailComposer = createRequire(import.meta.url)('nodemailer/lib/mail-composer') as MailComposerClass;

function crlf(...lines: string[]): Buffer {
  return Buffer.from(lines.join('\r\n'));
}

function part(raw: Buffer, root: MimeNode, section: string): MimeNode {
  const node = findPart(root, section === '' ? [] : section.split('.').map(Number));
  assert.ok(node, `part ${section} exists`);
  return node;
}

function header(raw: Buffer, node: MimeNode): string {
  return headerBytes(raw, node).toString();
}

function body(raw: Buffer, node: MimeNode): string {
  return bodyBytes(raw, node).toString();
}

/** Lines as IMAP counts them here: every LF, and a last line without one. */
function countLines(bytes: Buffer): number {
  if (bytes.length === 0) return 0;
  let lines = 0;
  for (const byte of bytes) if (byte === 0x0a) lines++;
  return bytes[bytes.length - 1] === 0x0a ? lines : lines + 1;
}

/** What every tree must satisfy, whatever the input. */
function assertWellFormed(raw: Buffer, node: MimeNode, floor = 0, ceiling = raw.length): void {
  const where = `${node.contentType} at ${node.start}`;
  assert.ok(floor <= node.start && node.start <= node.bodyStart && node.bodyStart <= node.end && node.end <= ceiling, `${where}: offsets in order within [${floor}, ${ceiling}]: ${node.start} ${node.bodyStart} ${node.end}`);
  assert.equal(node.size, node.end - node.bodyStart, `${where}: size`);
  assert.equal(node.lines, countLines(bodyBytes(raw, node)), `${where}: lines`);
  assert.match(node.contentType, /^[!#$%&'*+\-.^_`|~0-9a-z]+\/[!#$%&'*+\-.^_`|~0-9a-z]+$/, `${where}: type`);
  assert.match(node.encoding, /^[^A-Z\s]+$/, `${where}: encoding`);
  if (node.contentType.startsWith('multipart/')) {
    assert.ok(node.children && node.children.length > 0, `${where}: a multipart has parts`);
    let previous = node.bodyStart;
    for (const child of node.children) {
      assertWellFormed(raw, child, previous, node.end);
      previous = child.end;
    }
  } else if (node.contentType === 'message/rfc822' || node.contentType === 'message/global') {
    assert.equal(node.children?.length, 1, `${where}: a message encapsulates one message`);
    const [inner] = node.children;
    assert.equal(inner.start, node.bodyStart, `${where}: the message starts the body`);
    assert.equal(inner.end, node.end, `${where}: the message ends with the body`);
    assertWellFormed(raw, inner, node.bodyStart, node.end);
  } else {
    assert.equal(node.children, undefined, `${where}: a leaf has no children`);
  }
}

function parsed(raw: Buffer): MimeNode {
  const root = parseMimeStructure(raw);
  assertWellFormed(raw, root);
  assert.equal(root.start, 0);
  assert.equal(root.end, raw.length, 'the message runs to its last byte');
  assert.deepEqual(JSON.parse(JSON.stringify(root)), root, 'the tree survives JSON');
  return root;
}

/** Type, header and body of every part, line breaks made LF: the same for any line ending. */
function outline(raw: Buffer, node: MimeNode): unknown {
  const lf = (text: string) => text.replace(/\r\n/g, '\n');
  return {
    type: node.contentType,
    params: node.params,
    header: lf(header(raw, node)),
    body: node.children ? undefined : lf(body(raw, node)),
    children: node.children?.map((child) => outline(raw, child)),
  };
}

function nodeCount(node: MimeNode): number {
  return 1 + (node.children ?? []).reduce((sum, child) => sum + nodeCount(child), 0);
}

/** A small fast PRNG, seeded, so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const mixedWithAttachment = crlf(
  'From: Ann <ann@example.com>',
  'Subject: report',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="outer"',
  '',
  'This is the preamble.',
  '--outer',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hello Bob,',
  'the report is attached.',
  '--outer',
  'Content-Type: application/pdf; name="report.pdf"',
  'Content-Transfer-Encoding: base64',
  'Content-Disposition: attachment; filename="report.pdf"',
  '',
  'JVBERi0xLjQKJcfsj6IK',
  'JSVFT0YK',
  '--outer--',
  'This is the epilogue.',
  '',
);

const alternativeInMixed = crlf(
  'Subject: nested',
  'Content-Type: multipart/mixed; boundary=mixed',
  '',
  '--mixed',
  'Content-Type: multipart/alternative; boundary=mixed-alt',
  '',
  '--mixed-alt',
  'Content-Type: text/plain; charset=us-ascii',
  '',
  'plain version',
  '--mixed-alt',
  'Content-Type: text/html; charset=us-ascii',
  '',
  '<p>html version</p>',
  '--mixed-alt--',
  '',
  '--mixed',
  'Content-Type: image/png',
  'Content-Transfer-Encoding: base64',
  'Content-ID: <logo@example.com>',
  '',
  'iVBORw0KGgo=',
  '--mixed--',
  '',
);

const forwarded = crlf(
  'Subject: Fwd: lunch',
  'Content-Type: multipart/mixed; boundary="fwd"',
  '',
  '--fwd',
  'Content-Type: text/plain',
  '',
  'See below.',
  '--fwd',
  'Content-Type: message/rfc822',
  'Content-Disposition: attachment; filename="lunch.eml"',
  '',
  'From: carol@example.com',
  'Subject: lunch',
  'Content-Type: multipart/alternative; boundary="inner"',
  '',
  '--inner',
  'Content-Type: text/plain',
  '',
  'Pizza?',
  '--inner',
  'Content-Type: text/html',
  '',
  '<b>Pizza?</b>',
  '--inner--',
  '--fwd--',
  '',
);

describe('parseMimeStructure', () => {
  it('describes a plain text message with the defaults of RFC 2045', () => {
    const raw = crlf('Subject: hi', 'From: a@example.com', '', 'line one', 'line two', '');
    const root = parsed(raw);
    assert.deepEqual(root, {
      start: 0,
      bodyStart: raw.indexOf('line one'),
      end: raw.length,
      contentType: 'text/plain',
      params: { charset: 'us-ascii' },
      encoding: '7bit',
      size: 'line one\r\nline two\r\n'.length,
      lines: 2,
    });
    assert.equal(header(raw, root), 'Subject: hi\r\nFrom: a@example.com\r\n\r\n');
    assert.equal(body(raw, root), 'line one\r\nline two\r\n');
  });

  it('counts a last line without a line break', () => {
    const raw = crlf('Subject: hi', '', 'one', 'two');
    assert.equal(parsed(raw).lines, 2);
  });

  it('splits multipart/mixed with an attachment, leaving out preamble, epilogue and the CRLF before each boundary', () => {
    const raw = mixedWithAttachment;
    const root = parsed(raw);
    assert.equal(root.contentType, 'multipart/mixed');
    assert.deepEqual(root.params, { boundary: 'outer' });
    assert.equal(root.children?.length, 2);
    assert.ok(body(raw, root).startsWith('This is the preamble.\r\n--outer\r\n'));
    assert.ok(body(raw, root).endsWith('--outer--\r\nThis is the epilogue.\r\n'));

    const text = part(raw, root, '1');
    assert.equal(header(raw, text), 'Content-Type: text/plain; charset=utf-8\r\n\r\n');
    assert.equal(body(raw, text), 'Hello Bob,\r\nthe report is attached.');
    assert.deepEqual([text.contentType, text.params, text.encoding, text.size, text.lines], ['text/plain', { charset: 'utf-8' }, '7bit', 35, 2]);
    assert.equal(text.start, raw.indexOf('Content-Type: text/plain'));

    const pdf = part(raw, root, '2');
    assert.equal(pdf.contentType, 'application/pdf');
    assert.deepEqual(pdf.params, { name: 'report.pdf' });
    assert.equal(pdf.encoding, 'base64');
    assert.deepEqual(pdf.disposition, { type: 'attachment', params: { filename: 'report.pdf' } });
    assert.equal(body(raw, pdf), 'JVBERi0xLjQKJcfsj6IK\r\nJSVFT0YK');
    assert.equal(Buffer.from(body(raw, pdf), 'base64').toString('latin1'), '%PDF-1.4\n%\xc7\xec\x8f\xa2\n%%EOF\n');
  });

  it('numbers multipart/alternative nested in multipart/mixed as IMAP does', () => {
    const raw = alternativeInMixed;
    const root = parsed(raw);
    const alternative = part(raw, root, '1');
    assert.equal(alternative.contentType, 'multipart/alternative');
    assert.deepEqual(alternative.params, { boundary: 'mixed-alt' });
    // The inner boundary starts with the outer one; only whole delimiter lines count.
    assert.equal(body(raw, part(raw, root, '1.1')), 'plain version');
    assert.equal(body(raw, part(raw, root, '1.2')), '<p>html version</p>');
    assert.equal(part(raw, root, '1.2').contentType, 'text/html');
    assert.equal(body(raw, alternative), '--mixed-alt\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nplain version\r\n--mixed-alt\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<p>html version</p>\r\n--mixed-alt--\r\n');
    const image = part(raw, root, '2');
    assert.equal(image.id, '<logo@example.com>');
    assert.equal(body(raw, image), 'iVBORw0KGgo=');
    assert.equal(findPart(root, [3]), undefined);
    assert.equal(findPart(root, [1, 3]), undefined);
    assert.equal(findPart(root, [2, 1]), undefined, 'a leaf inside a multipart has no sub-parts');
  });

  it('recurses into a message/rfc822 attachment, whose sub-parts are those of the message it carries', () => {
    const raw = forwarded;
    const root = parsed(raw);
    const attached = part(raw, root, '2');
    assert.equal(attached.contentType, 'message/rfc822');
    assert.deepEqual(attached.disposition, { type: 'attachment', params: { filename: 'lunch.eml' } });
    const message = attached.children![0];
    assert.equal(message.start, attached.bodyStart);
    // BODY[2.HEADER] and BODY[2.TEXT] are the header and body of the carried message.
    assert.equal(header(raw, message), 'From: carol@example.com\r\nSubject: lunch\r\nContent-Type: multipart/alternative; boundary="inner"\r\n\r\n');
    assert.ok(body(raw, message).startsWith('--inner\r\n'));
    assert.ok(body(raw, message).endsWith('--inner--'));
    assert.equal(attached.lines, countLines(bodyBytes(raw, attached)));
    assert.equal(body(raw, part(raw, root, '2.1')), 'Pizza?');
    assert.equal(body(raw, part(raw, root, '2.2')), '<b>Pizza?</b>');
    assert.equal(header(raw, part(raw, root, '2.2')), 'Content-Type: text/html\r\n\r\n');
    assert.equal(findPart(root, [2, 3]), undefined);
  });

  it('numbers the body of a carried message that is not multipart as its part 1', () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: message/rfc822', '', 'Subject: inner', '', 'inner text', '--b--', '');
    const root = parsed(raw);
    const inner = part(raw, root, '1.1');
    assert.equal(inner, part(raw, root, '1').children![0]);
    assert.equal(body(raw, inner), 'inner text');
    assert.equal(findPart(root, [1, 2]), undefined);
    assert.equal(findPart(root, [1, 1, 1]), undefined);
  });

  it('treats a whole message of type message/rfc822 as its own part 1', () => {
    const raw = crlf('Subject: bounce', 'Content-Type: message/rfc822', '', 'Subject: original', 'Content-Type: multipart/mixed; boundary=x', '', '--x', '', 'first', '--x', '', 'second', '--x--', '');
    const root = parsed(raw);
    assert.equal(part(raw, root, '1'), root);
    assert.equal(body(raw, part(raw, root, '1.1')), 'first');
    assert.equal(body(raw, part(raw, root, '1.2')), 'second');
  });

  it('handles multipart/digest, whose parts default to message/rfc822 (RFC 2046 5.1.5)', () => {
    const raw = crlf('Content-Type: multipart/digest; boundary=d', '', '--d', '', 'Subject: one', '', 'first', '--d', 'Content-Type: text/plain', '', 'not a message', '--d--', '');
    const root = parsed(raw);
    const first = part(raw, root, '1');
    assert.deepEqual([first.contentType, first.params], ['message/rfc822', {}]);
    assert.equal(header(raw, first.children![0]), 'Subject: one\r\n\r\n');
    assert.equal(body(raw, part(raw, root, '1.1')), 'first');
    assert.equal(part(raw, root, '2').contentType, 'text/plain');
  });

  it('recurses into message/global (RFC 6532)', () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: message/global', '', 'Subject: Grüße', '', 'Hallo', '--b--', '');
    const root = parsed(raw);
    assert.equal(part(raw, root, '1').contentType, 'message/global');
    assert.equal(body(raw, part(raw, root, '1.1')), 'Hallo');
  });

  it('keeps an encoded message/rfc822 whole, as application/octet-stream', () => {
    const inner = Buffer.from('Subject: inner\r\n\r\nbody\r\n').toString('base64');
    const raw = crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: message/rfc822', 'Content-Transfer-Encoding: base64', '', inner, '--b--', '');
    const root = parsed(raw);
    const attached = part(raw, root, '1');
    assert.deepEqual([attached.contentType, attached.encoding, attached.children], ['application/octet-stream', 'base64', undefined]);
    assert.equal(body(raw, attached), inner);
    assert.ok(header(raw, attached).includes('message/rfc822'), 'the header still says what it is');
  });

  it('decodes RFC 2231 parameters: continuations, charsets and languages', () => {
    const raw = crlf(
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: application/octet-stream;',
      " name*0*=utf-8''%C3%A4rger%20mit;",
      ' name*1=" dem Amt.txt"',
      'Content-Disposition: attachment;',
      "\tfilename*=iso-8859-1'de'%E4rger.txt;",
      '\tsize=1234',
      '',
      'AAAA',
      '--b',
      'Content-Type: text/plain; name="=?UTF-8?B?w6TDtsO8LnR4dA==?="',
      "Content-Disposition: inline; filename*=UTF-8''%F0%9F%93%8E.txt",
      '',
      'x',
      '--b--',
      '',
    );
    const root = parsed(raw);
    const first = part(raw, root, '1');
    assert.deepEqual(first.params, { name: 'ärger mit dem Amt.txt' });
    assert.deepEqual(first.disposition, { type: 'attachment', params: { filename: 'ärger.txt', size: '1234' } });
    const second = part(raw, root, '2');
    assert.deepEqual(second.params, { name: 'äöü.txt' }, 'RFC 2047 words, as mailers write them in names');
    assert.deepEqual(second.disposition, { type: 'inline', params: { filename: '📎.txt' } });
  });

  it('lower-cases type, subtype, parameter names and encoding, and keeps the case of values', () => {
    const raw = crlf(
      'Content-Type: Text/HTML; CharSet="UTF-8"; Name="Report.HTML" (a comment)',
      'Content-Transfer-Encoding: Quoted-Printable (because)',
      'Content-ID: <Part1@Example.COM>',
      'Content-Description: The Report',
      'Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==',
      'Content-Location: http://example.com/Report.html',
      'Content-Language: en-GB, de (German)',
      'Content-Disposition: INLINE',
      '',
      '<p>x</p>',
    );
    const root = parsed(raw);
    assert.deepEqual(root, {
      start: 0,
      bodyStart: raw.indexOf('<p>'),
      end: raw.length,
      contentType: 'text/html',
      params: { charset: 'UTF-8', name: 'Report.HTML' },
      encoding: 'quoted-printable',
      id: '<Part1@Example.COM>',
      description: 'The Report',
      md5: 'Q2hlY2sgSW50ZWdyaXR5IQ==',
      location: 'http://example.com/Report.html',
      language: ['en-GB', 'de'],
      disposition: { type: 'inline', params: {} },
      size: 8,
      lines: 1,
    });
  });

  it('unfolds folded header fields, the boundary on a continuation line', () => {
    const raw = crlf('Content-Type: multipart/mixed;', '\tboundary="folded', ' boundary"', 'Subject: folded', '', '--folded boundary', 'Content-Type:', ' text/plain;', '  charset=utf-8', '', 'inside', '--folded boundary--', '');
    const root = parsed(raw);
    assert.deepEqual(root.params, { boundary: 'folded boundary' });
    const text = part(raw, root, '1');
    assert.deepEqual([text.contentType, text.params], ['text/plain', { charset: 'utf-8' }]);
    assert.equal(body(raw, text), 'inside');
  });

  it('gives the same tree for LF-only and CRLF line endings, with the LF before a boundary left out', () => {
    for (const fixture of [mixedWithAttachment, alternativeInMixed, forwarded]) {
      const lf = Buffer.from(fixture.toString().replace(/\r\n/g, '\n'));
      assert.deepEqual(outline(lf, parsed(lf)), outline(fixture, parsed(fixture)));
    }
    const lf = Buffer.from(mixedWithAttachment.toString().replace(/\r\n/g, '\n'));
    const text = part(lf, parsed(lf), '1');
    assert.equal(body(lf, text), 'Hello Bob,\nthe report is attached.');
    assert.equal(lf[text.end], 0x0a);
    assert.equal(text.lines, 2);
  });

  it('copes with line endings mixed in one message', () => {
    const raw = Buffer.from('Content-Type: multipart/mixed; boundary=b\n\r\n--b\r\nContent-Type: text/plain\n\none\r\ntwo\n--b\n\nthree\r\n--b--\n');
    const root = parsed(raw);
    assert.equal(body(raw, part(raw, root, '1')), 'one\r\ntwo');
    assert.equal(body(raw, part(raw, root, '2')), 'three');
  });

  it('ends the parts at the end of the message when the close delimiter is missing', () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'first', '--b', 'Content-Type: text/html', '', '<p>cut off', '');
    const root = parsed(raw);
    assert.equal(root.children?.length, 2);
    assert.equal(body(raw, part(raw, root, '2')), '<p>cut off\r\n');
    assert.equal(part(raw, root, '2').end, raw.length);
  });

  it('closes an inner multipart that lacks its close delimiter at the next outer delimiter', () => {
    const raw = crlf(
      'Content-Type: multipart/mixed; boundary=outer',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary=inner',
      '',
      '--inner',
      '',
      'plain',
      '--outer',
      '',
      'second outer part',
      '--outer--',
      '',
    );
    const root = parsed(raw);
    assert.equal(root.children?.length, 2);
    assert.equal(body(raw, part(raw, root, '1.1')), 'plain');
    assert.equal(part(raw, root, '1').end, part(raw, root, '1.1').end);
    assert.equal(body(raw, part(raw, root, '2')), 'second outer part');
  });

  it('cuts a message off at every byte without losing its footing', () => {
    for (const fixture of [mixedWithAttachment, forwarded, alternativeInMixed]) {
      for (let length = 0; length <= fixture.length; length++) parsed(fixture.subarray(0, length));
    }
  });

  it('recognises a boundary only as a whole line, with only spaces and tabs after it', () => {
    const raw = crlf(
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      '',
      'the text mentions --b in a line',
      '--bx is another boundary',
      ' --b is indented',
      '--b--x is no close delimiter',
      '--b \t',
      '',
      'second',
      '--b-- \t',
      'epilogue',
    );
    const root = parsed(raw);
    assert.equal(root.children?.length, 2);
    assert.equal(body(raw, part(raw, root, '1')), 'the text mentions --b in a line\r\n--bx is another boundary\r\n --b is indented\r\n--b--x is no close delimiter');
    assert.equal(body(raw, part(raw, root, '2')), 'second');
  });

  it('lets an inner multipart reuse the outer boundary without losing the rest of the message', () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'inner', '--b--', '--b', '', 'outer second', '--b--', '');
    const root = parsed(raw);
    assert.equal(body(raw, part(raw, root, '1.1')), 'inner');
    assert.equal(body(raw, part(raw, root, '2')), 'outer second');
  });

  it('reads the whole of a message without an empty line as header', () => {
    const raw = crlf('Subject: no body', 'From: a@example.com', '');
    const root = parsed(raw);
    assert.deepEqual([root.bodyStart, root.end, root.size, root.lines], [raw.length, raw.length, 0, 0]);
    assert.equal(header(raw, root), raw.toString());
    const bare = Buffer.from('just some words, no header at all');
    assert.equal(parsed(bare).bodyStart, bare.length);
  });

  it('ends a part header that runs into a delimiter line, with an empty body', () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/html', '--b', '', 'second', '--b', 'Content-Type: multipart/alternative; boundary=c', '--b--', '');
    const root = parsed(raw);
    const first = part(raw, root, '1');
    assert.deepEqual([first.contentType, first.size, header(raw, first)], ['text/html', 0, 'Content-Type: text/html']);
    assert.equal(body(raw, part(raw, root, '2')), 'second');
    const third = part(raw, root, '3');
    assert.equal(third.contentType, 'multipart/alternative');
    assert.equal(third.children?.length, 1, 'an empty multipart still has a part to describe');
  });

  it('starts the body at once after an empty first line', () => {
    const raw = Buffer.from('\r\nno header here\r\n');
    const root = parsed(raw);
    assert.deepEqual([root.bodyStart, body(raw, root)], [2, 'no header here\r\n']);
  });

  it('reads header fields with 8-bit bytes as UTF-8, or else Latin-1', () => {
    const utf8 = crlf('Subject: Grüße \xff', 'Content-Type: multipart/mixed; boundary="grün"', '', '--grün', 'Content-Disposition: attachment; filename="Grüße.txt"', '', 'x', '--grün--', '');
    const root = parsed(utf8);
    assert.equal(root.children?.length, 1, 'an 8-bit boundary matches its delimiter lines byte for byte');
    assert.equal(part(utf8, root, '1').disposition?.params.filename, 'Grüße.txt');

    const latin1 = Buffer.concat([Buffer.from('Content-Type: multipart/mixed; boundary="gr'), Buffer.from([0xfc]), Buffer.from('n"\r\n\r\n--gr'), Buffer.from([0xfc]), Buffer.from('n\r\nContent-Disposition: attachment; filename="Gr'), Buffer.from([0xfc, 0xdf]), Buffer.from('e.txt"\r\n\r\nx\r\n--gr'), Buffer.from([0xfc]), Buffer.from('n--\r\n')]);
    const latinRoot = parsed(latin1);
    assert.deepEqual(latinRoot.params, { boundary: 'grün' });
    assert.equal(latinRoot.children?.length, 1);
    assert.equal(part(latin1, latinRoot, '1').disposition?.params.filename, 'Grüße.txt');
    assert.equal(body(latin1, part(latin1, latinRoot, '1')), 'x');
  });

  it('falls back to text/plain for a malformed Content-Type (RFC 2045 5.2)', () => {
    for (const value of ['text', 'garbage garbage', '/plain', 'text/', 'text/plain/extra', 'te xt/plain', '', ';;;', 'multi"part/mixed; boundary=b']) {
      const raw = crlf(`Content-Type: ${value}`, '', '--b', '', 'body');
      const root = parsed(raw);
      assert.deepEqual([root.contentType, root.params], ['text/plain', { charset: 'us-ascii' }], `Content-Type: ${value}`);
      assert.equal(body(raw, root), '--b\r\n\r\nbody');
    }
  });

  it('keeps a multipart without a boundary whole, as application/octet-stream', () => {
    const raw = crlf('Content-Type: multipart/mixed', '', '--b', '', 'body');
    const root = parsed(raw);
    assert.deepEqual([root.contentType, root.children], ['application/octet-stream', undefined]);
  });

  it('stands in an empty part for a multipart whose boundary never comes', () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary=never', '', 'only a preamble', '');
    const root = parsed(raw);
    assert.equal(root.children?.length, 1);
    assert.deepEqual([root.children![0].contentType, root.children![0].size], ['text/plain', 0]);
    assert.equal(body(raw, root), 'only a preamble\r\n');
  });

  it('takes the first of repeated Content-Type fields', () => {
    const raw = crlf('Content-Type: text/html', 'Content-Type: image/png', '', 'x');
    assert.equal(parsed(raw).contentType, 'text/html');
  });

  it('never throws on random bytes, or on fixtures with random bytes written over them', () => {
    const next = random(2024);
    const alphabet = Buffer.from('\r\n\r\n-- :;=\t"bouterinnermixedContent-Type: multipart/mixed; boundary=message/rfc822\x00\xff\x80');
    for (let round = 0; round < 300; round++) {
      const noise = Buffer.alloc(Math.floor(next() * 2000));
      for (let i = 0; i < noise.length; i++) noise[i] = next() < 0.5 ? Math.floor(next() * 256) : alphabet[Math.floor(next() * alphabet.length)];
      parsed(noise);
      const fixture = Buffer.from([mixedWithAttachment, alternativeInMixed, forwarded][round % 3]);
      for (let i = 0; i < 8; i++) fixture[Math.floor(next() * fixture.length)] = alphabet[Math.floor(next() * alphabet.length)];
      parsed(fixture);
    }
  });

  it(`stops nesting at ${MAX_DEPTH} levels and keeps the deeper content in one part`, { timeout: 30_000 }, () => {
    const levels = MAX_DEPTH + 50;
    let raw = '';
    for (let i = 0; i < levels; i++) raw += `Content-Type: multipart/mixed; boundary=level${i}\r\n\r\n--level${i}\r\n`;
    raw += 'Content-Type: text/plain\r\n\r\ndeepest\r\n';
    for (let i = levels - 1; i >= 0; i--) raw += `--level${i}--\r\n`;
    const bytes = Buffer.from(raw);
    let node = parsed(bytes);
    let depth = 0;
    while (node.children) {
      node = node.children[0];
      depth++;
    }
    assert.equal(depth, MAX_DEPTH);
    assert.equal(node.contentType, 'application/octet-stream');
    assert.ok(body(bytes, node).includes('deepest'));
    assert.ok(body(bytes, node).endsWith(`--level${MAX_DEPTH}--`), 'it ends where the last open multipart closes');

    const messages = Buffer.from('Content-Type: message/rfc822\r\n\r\n'.repeat(20_000) + 'the end');
    const outer = parseMimeStructure(messages);
    assertWellFormed(messages, outer);
  });

  // Speed is the bench's business; these hostile sizes and shapes are here for
  // correctness, and the timeout only catches a scan that went quadratic
  // (hours on these inputs, well under a second as written).
  it('parses a 50 MB message with 5000 parts', { timeout: 30_000 }, () => {
    const line = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n';
    const chunks = ['Subject: big\r\nContent-Type: multipart/mixed; boundary="xyz"\r\n\r\n'];
    for (let i = 0; i < 5000; i++) {
      chunks.push(`--xyz\r\nContent-Type: application/octet-stream; name="f${i}.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n`, line.repeat(130));
    }
    chunks.push('--xyz--\r\n');
    const raw = Buffer.from(chunks.join(''));
    assert.ok(raw.length > 50_000_000);
    const root = parseMimeStructure(raw);
    assert.equal(root.children?.length, 5000);
    const last = part(raw, root, '5000');
    assert.deepEqual(last.params, { name: 'f4999.bin' });
    assert.equal(body(raw, last), line.repeat(130).slice(0, -2));
    assert.equal(last.lines, 130);
    assertWellFormed(raw, root);
  });

  it(`splits no further than ${MAX_PARTS} parts, and keeps the rest in the last`, () => {
    const raw = Buffer.from('Content-Type: multipart/mixed; boundary=b\r\n\r\n' + '--b\r\n\r\nx\r\n'.repeat(MAX_PARTS + 100) + '--b--\r\n');
    const root = parsed(raw);
    assert.equal(nodeCount(root), MAX_PARTS);
    assert.ok(body(raw, root.children!.at(-1)!).endsWith('x\r\n--b\r\n\r\nx\r\n--b--\r\n'));
  });

  it('parses hostile shapes: long runs of delimiter-like lines, empty lines and header lines', { timeout: 30_000 }, () => {
    const shapes = [
      'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n' + '--x\n'.repeat(2_000_000),
      'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n' + '\n'.repeat(8_000_000),
      'X-Header: value\n'.repeat(500_000),
      'Content-without-colon\n'.repeat(500_000),
      `Content-Type: text/plain; name*0*=${'%41'.repeat(300_000)}\r\n\r\nx`,
    ];
    for (const shape of shapes) {
      const raw = Buffer.from(shape);
      const root = parseMimeStructure(raw);
      assertWellFormed(raw, root);
    }
  });
});

describe('findPart, headerBytes and bodyBytes', () => {
  it('returns the whole message for the empty section and nothing for numbers that are not part numbers', () => {
    const root = parsed(mixedWithAttachment);
    assert.equal(findPart(root, []), root);
    for (const path of [[0], [-1], [1.5], [Number.NaN], [3], [1, 1]]) assert.equal(findPart(root, path), undefined, JSON.stringify(path));
  });

  it('makes a message that is not multipart its own part 1 (RFC 3501 6.4.5)', () => {
    const raw = crlf('Subject: hi', '', 'text');
    const root = parsed(raw);
    assert.equal(findPart(root, [1]), root);
    assert.equal(findPart(root, [2]), undefined);
    assert.equal(findPart(root, [1, 1]), undefined);
  });

  it('slices without copying', () => {
    const raw = mixedWithAttachment;
    const text = part(raw, parsed(raw), '1');
    const slice = bodyBytes(raw, text);
    assert.equal(slice.buffer, raw.buffer);
    assert.equal(slice.byteOffset, raw.byteOffset + text.bodyStart);
    assert.equal(headerBytes(raw, text).byteOffset, raw.byteOffset + text.start);
  });
});

describe('agreement with nodemailer and mailparser', () => {
  it('finds every part of a MailComposer message where mailparser numbers it, with the same content', async () => {
    const forwardedMessage = await new MailComposer({
      from: 'carol@example.com',
      subject: 'inner',
      text: 'inner text',
      attachments: [{ filename: 'inner.bin', content: Buffer.from([0, 1, 2, 3, 255]) }],
    }).compile().build();
    const longName = 'Grüße und ein sehr langer Dateiname, der umgebrochen werden muss.txt';
    const raw = await new MailComposer({
      from: 'Ann <ann@example.com>',
      to: 'bob@example.com',
      subject: 'Grüße',
      text: 'Hello ✓ world',
      html: '<p>Hello ✓ <img src="cid:logo"></p>',
      textEncoding: 'base64',
      attachments: [
        { filename: longName, content: 'file content ✓' },
        { filename: 'logo.png', content: Buffer.from([137, 80, 78, 71]), cid: 'logo' },
        { filename: 'fwd.eml', content: forwardedMessage, contentType: 'message/rfc822' },
      ],
    }).compile().build();
    const root = parsed(raw);

    // multipart/mixed [ alternative [ text, related [ html, png ] ], txt, message [ mixed [ text, bin ] ] ]
    assert.equal(root.contentType, 'multipart/mixed');
    assert.equal(part(raw, root, '1').contentType, 'multipart/alternative');
    assert.equal(Buffer.from(body(raw, part(raw, root, '1.1')), 'base64').toString(), 'Hello ✓ world');
    assert.equal(part(raw, root, '1.2').contentType, 'multipart/related');
    assert.equal(Buffer.from(body(raw, part(raw, root, '1.2.1')), 'base64').toString(), '<p>Hello ✓ <img src="cid:logo"></p>');
    assert.equal(part(raw, root, '1.2.2').id, '<logo>');
    assert.equal(part(raw, root, '2').disposition?.params.filename, longName);
    assert.equal(part(raw, root, '2').params.name, longName);
    assert.ok(bodyBytes(raw, part(raw, root, '3')).equals(forwardedMessage), 'the attached message is stored byte for byte');
    assert.equal(part(raw, root, '3.1').contentType, 'text/plain');

    const mail = await simpleParser(raw);
    assert.equal(mail.attachments.length, 3);
    for (const attachment of mail.attachments) {
      const node = part(raw, root, attachment.partId ?? '1');
      assert.equal(node.contentType, attachment.contentType, attachment.partId ?? '');
      assert.equal(node.encoding, 'base64');
      assert.ok(Buffer.from(body(raw, node), 'base64').equals(attachment.content), `content of ${attachment.partId}`);
    }
    assert.deepEqual(mail.attachments.map((a) => a.partId), ['1.2.2', '2', '3.2']);
  });
});
