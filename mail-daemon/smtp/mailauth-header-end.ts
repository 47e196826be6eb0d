// mailauth reads a message's header (for DKIM, ARC and signing) a byte at a
// time until the empty line, pushing each byte into an array it copies again
// for every byte: about 120 bytes allocated per header byte, a quarter of the
// bytes a small inbound message allocated and more for real mail, whose
// Received and DKIM-Signature fields make headers of several kB (issue 12).
// This finds the same end (the LF of "\n\n" or "\n\r\n", RFC 5322 2.1, also
// across chunks) with indexOf, and otherwise does what mailauth's
// processChunk does. It is installed only over the version it was written
// against; another one keeps its own.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface Parser {
  state: 'header' | 'body';
  /** The last bytes seen in the header (at most 4), for an end that spans chunks. */
  stateBytes: number[];
  headers: unknown;
  headerChunks: Buffer[];
  messageHeaders(headers: unknown): Promise<void>;
  nextChunk(chunk: Buffer): Promise<void>;
}

const LF = 0x0a;
const CR = 0x0d;

/** The index of the LF that ends the header in `chunk`, or -1; `before` holds the bytes just before it. */
export function headerEnd(before: number[], chunk: Buffer): number {
  const at = (i: number) => (i >= 0 ? chunk[i] : before[before.length + i]);
  for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
    const b1 = at(i - 1);
    if (b1 === LF || (b1 === CR && at(i - 2) === LF)) return i;
  }
  return -1;
}

/** The last 4 bytes of `before` followed by chunk[0, end). */
function lastBytes(before: number[], chunk: Buffer, end: number): number[] {
  const kept = before.slice(Math.max(0, before.length - Math.max(0, 4 - end)));
  for (let i = Math.max(0, end - 4); i < end; i++) kept.push(chunk[i]);
  return kept.slice(-4);
}

let installed = false;

/** Replaces mailauth's byte-at-a-time header scan, once, when mailauth's code is the one this mirrors. */
export function findMailauthHeaderEndQuickly(): void {
  if (installed) return;
  installed = true;
  const { MessageParser } = require('mailauth/lib/dkim/message-parser') as { MessageParser: { prototype: { processChunk(chunk: Buffer): Promise<void> } } };
  const { parseHeaders } = require('mailauth/lib/tools') as { parseHeaders(header: Buffer): unknown };
  const own = MessageParser.prototype.processChunk.toString();
  if (!own.includes('this.stateBytes.slice(-4)') || !own.includes('this.headerChunks.push(chunk.slice(0, i + 1))')) return;
  MessageParser.prototype.processChunk = async function processChunk(this: Parser, chunk: Buffer): Promise<void> {
    if (!chunk || !chunk.length) return;
    if (this.state === 'header') {
      const end = headerEnd(this.stateBytes, chunk);
      this.stateBytes = lastBytes(this.stateBytes, chunk, end === -1 ? chunk.length : end + 1);
      if (end === -1) {
        this.headerChunks.push(chunk);
        return;
      }
      this.state = 'body';
      if (end === chunk.length - 1) {
        this.headerChunks.push(chunk);
        this.headers = parseHeaders(Buffer.concat(this.headerChunks));
        await this.messageHeaders(this.headers);
        return;
      }
      this.headerChunks.push(chunk.slice(0, end + 1));
      this.headers = parseHeaders(Buffer.concat(this.headerChunks));
      await this.messageHeaders(this.headers);
      chunk = chunk.slice(end + 1);
    }
    await this.nextChunk(chunk);
  };
}
