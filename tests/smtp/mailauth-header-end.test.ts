// mailauth's header scan, replaced (mail-daemon/smtp/mailauth-header-end.ts),
// gives what mailauth's own gives, for every way a message can arrive in
// chunks: the same parsed header, the same body bytes, the same state. And a
// DKIM signature mailauth made still verifies through it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { generateKeyPairSync } from 'node:crypto';
import { findMailauthHeaderEndQuickly, headerEnd } from '../../mail-daemon/smtp/mailauth-header-end.ts';

const require = createRequire(import.meta.url);
type Chunked = (this: unknown, chunk: Buffer) => Promise<void>;
const { MessageParser } = require('mailauth/lib/dkim/message-parser') as { MessageParser: { new (): Record<string, unknown>; prototype: { processChunk: Chunked } } };
const theirs = MessageParser.prototype.processChunk;
findMailauthHeaderEndQuickly();
const ours = MessageParser.prototype.processChunk;

/** What a parser made of the message fed as `chunks` through `processChunk`. */
async function parse(processChunk: Chunked, chunks: Buffer[]) {
  const parser = new MessageParser();
  const seen: { headers: unknown[]; body: Buffer[] } = { headers: [], body: [] };
  parser.messageHeaders = async (headers: unknown) => void seen.headers.push(headers);
  parser.nextChunk = async (chunk: Buffer) => void seen.body.push(Buffer.from(chunk));
  for (const chunk of chunks) await processChunk.call(parser, chunk);
  return {
    headers: JSON.stringify(seen.headers),
    body: Buffer.concat(seen.body).toString('latin1'),
    state: parser.state,
    stateBytes: parser.stateBytes,
    headerChunks: Buffer.concat(parser.headerChunks as Buffer[]).toString('latin1'),
  };
}

const MESSAGES = [
  'From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n',
  'From: a@example.com\nSubject: lf only\n\nbody\n',
  'Subject: mixed\n\r\nbody\r\n\r\nmore\r\n',
  '\r\n\r\nno header',
  '\n\nempty header, LF',
  'Subject: no body\r\n\r\n',
  'Subject: folded\r\n\tline\r\nX: y\r\n\r\n\r\nbody after an empty line',
  'Subject: never ends\r\nX: y\r\n',
  'Subject: cr\r\r\n\r\nbody',
];

describe("mailauth's header end, found with indexOf", () => {
  it('is installed over the mailauth this code mirrors', () => {
    assert.notEqual(ours, theirs, 'mailauth changed: the replacement kept out (see mailauth-header-end.ts)');
  });

  it('finds the LF of "\\n\\n" or "\\n\\r\\n", also after the bytes of an earlier chunk', () => {
    assert.equal(headerEnd([], Buffer.from('a: b\r\n\r\nc')), 7);
    assert.equal(headerEnd([], Buffer.from('a: b\n\nc')), 5);
    assert.equal(headerEnd([0x0a, 0x0d], Buffer.from('\nc')), 0);
    assert.equal(headerEnd([0x0a], Buffer.from('\nc')), 0);
    assert.equal(headerEnd([], Buffer.from('\nc')), -1);
    assert.equal(headerEnd([], Buffer.from('a: b\r\n\rc\n')), -1);
  });

  it('gives what mailauth gives, however the message is cut into chunks', async () => {
    for (const text of MESSAGES) {
      const bytes = Buffer.from(text, 'latin1');
      for (let i = 0; i <= bytes.length; i++) {
        for (let j = i; j <= bytes.length; j++) {
          const chunks = [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)];
          assert.deepEqual(await parse(ours, chunks), await parse(theirs, chunks), `${JSON.stringify(text)} cut at ${i}, ${j}`);
        }
      }
    }
  });

  it('lets a DKIM signature verify', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const message = Buffer.from('From: a@example.com\r\nTo: b@example.org\r\nSubject: signed\r\n\r\nHello\r\n');
    const signed = await dkimSign(message, { signatureData: [{ signingDomain: 'example.com', selector: 's1', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }] } as Parameters<typeof dkimSign>[1]);
    const key = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const resolver = async (name: string, type: string) => {
      if (name === 's1._domainkey.example.com' && type === 'TXT') return [[`v=DKIM1; k=rsa; p=${key}`]];
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    };
    const result = await dkimVerify(Buffer.concat([Buffer.from(signed.signatures), message]), { resolver });
    assert.equal(result.results[0]?.status?.result, 'pass', JSON.stringify(result.results[0]?.status));
  });
});
