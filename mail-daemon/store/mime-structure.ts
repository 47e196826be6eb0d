// The MIME tree of a message with byte offsets into the raw bytes, worked out
// once at delivery and stored as JSON, so that IMAP can answer BODYSTRUCTURE,
// BODY[1.2], BODY[1.2.MIME], BODY[1.HEADER] and BINARY[...] by slicing the
// stored message instead of parsing it again.
//
// One forward pass over the lines, as Dovecot's message-parser makes: the
// boundaries of all open multiparts are checked (in one Map) only on lines that
// start with "--", so the work is linear in the size of the message whatever
// its nesting, and an outer boundary ends inner parts that never closed. It
// never throws: a malformed part still gets a node, with the defaults of
// RFC 2045 where a header is unusable.
//
// So that IMAP can always describe the tree, a multipart has at least one
// child and message/rfc822 (or message/global) exactly one; a part that cannot
// be opened (nested too deep, an encoded message, a multipart without a
// boundary) is described as application/octet-stream, its header untouched.
import libmime from 'libmime';

export interface MimeNode {
  /** Offset of the first byte of this part's header. */
  start: number;
  /** Offset of the first byte of the body: just after the empty line that ends the header. */
  bodyStart: number;
  /** Offset just past the body; for a multipart child, before the CRLF that precedes the next boundary line. */
  end: number;
  /** Lower-case "type/subtype": text/plain when missing or malformed, message/rfc822 in a multipart/digest. */
  contentType: string;
  /** Content-Type parameters: names lower-case, values decoded (RFC 2231, RFC 2047). */
  params: Record<string, string>;
  /** Content-Transfer-Encoding, lower-case; 7bit when missing. */
  encoding: string;
  /** Content-ID, Content-Description, Content-MD5 and Content-Location as in the header, unfolded. */
  id?: string;
  description?: string;
  md5?: string;
  location?: string;
  language?: string[];
  disposition?: { type: string; params: Record<string, string> };
  /** Body octets: end - bodyStart. */
  size: number;
  /** Lines in the body; a last line without a line break counts too. */
  lines: number;
  /** A multipart's parts (at least one); for message/rfc822 and message/global, the encapsulated message. */
  children?: MimeNode[];
}

/** Deeper multiparts and messages are kept whole, as one application/octet-stream part. */
export const MAX_DEPTH = 100;
/** After this many parts the rest of the message is not split any further. */
export const MAX_PARTS = 10_000;
/** Longer header fields are cut before their parameters are parsed. */
const MAX_FIELD_BYTES = 16 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const DASH = 0x2d;
const COLON = 0x3a;
const LINE_START_DELIMITER = Buffer.from('\n--');

const FIELDS = new Set([
  'content-type',
  'content-transfer-encoding',
  'content-id',
  'content-description',
  'content-md5',
  'content-location',
  'content-language',
  'content-disposition',
]);
const LONGEST_FIELD_NAME = 'content-transfer-encoding'.length;

// RFC 2045 5.1: type and subtype are tokens.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
// RFC 2046 5.2.1, RFC 6532 3.5: only these encodings leave the encapsulated message readable as it is.
const IDENTITY_ENCODINGS = new Set(['7bit', '8bit', 'binary']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A position in the message with the number of LFs before it, so line counts need no second pass. */
interface Mark {
  offset: number;
  lfs: number;
}

/** A boundary line of an open multipart: its depth in the stack, and whether it is the close delimiter. */
interface Delimiter {
  level: number;
  close: boolean;
}

interface HeaderField {
  text: string;
  /** How the bytes were read: UTF-8 (RFC 6532), else Latin-1 so that no byte is lost. */
  encoding: 'utf8' | 'latin1';
}

type PartDescription = Pick<MimeNode, 'contentType' | 'params' | 'encoding' | 'id' | 'description' | 'md5' | 'location' | 'language' | 'disposition'>;

export function parseMimeStructure(raw: Buffer): MimeNode {
  try {
    return new MimeScanner(raw).parseMessage();
  } catch {
    // Not expected; the tree must exist all the same, so the message becomes one text part.
    return makeNode(textDefault(), { offset: 0, lfs: 0 }, { offset: 0, lfs: 0 }, { offset: raw.length, lfs: countLf(raw, 0, raw.length) }, raw);
  }
}

/**
 * The part at an IMAP section number (RFC 3501 6.4.5); [] is the whole message.
 * Part 1 of a message that is not multipart is its body, and the parts of a
 * message/rfc822 part are those of the message it encapsulates.
 */
export function findPart(root: MimeNode, path: number[]): MimeNode | undefined {
  let node = root;
  let isMessage = true;
  for (const number of path) {
    if (!Number.isInteger(number) || number < 1) return undefined;
    const next = subparts(node, isMessage)[number - 1];
    if (!next) return undefined;
    node = next;
    isMessage = false;
  }
  return node;
}

function subparts(node: MimeNode, isMessage: boolean): MimeNode[] {
  if (node.contentType.startsWith('multipart/')) return node.children ?? [];
  if (!isMessage && node.children?.length === 1) return subparts(node.children[0], true);
  return isMessage ? [node] : [];
}

/** The header of a part, with the empty line that ends it. */
export function headerBytes(raw: Buffer, node: MimeNode): Buffer {
  return raw.subarray(node.start, node.bodyStart);
}

/** The body of a part, still in its transfer encoding. */
export function bodyBytes(raw: Buffer, node: MimeNode): Buffer {
  return raw.subarray(node.bodyStart, node.end);
}

class MimeScanner {
  private readonly raw: Buffer;
  /** Start of the next unread line. */
  private pos = 0;
  /** LFs before pos. */
  private lfs = 0;
  /**
   * The boundaries of the open multiparts (as Latin-1 strings of their bytes)
   * with the innermost level that opened each, and for each level the level
   * its boundary shadowed, to restore on close.
   */
  private readonly levels = new Map<string, number>();
  private readonly shadowed: (number | undefined)[] = [];
  private longestBoundary = 0;
  /** The delimiter line at pos where the last scan stopped; null at the end of the message. */
  private stop: Delimiter | null = null;
  private parts = 0;
  /** Set at MAX_PARTS: no boundary is recognised any more and everything runs to the end. */
  private exhausted = false;

  constructor(raw: Buffer) {
    this.raw = raw;
  }

  parseMessage(): MimeNode {
    return this.parsePart('text/plain', 0).node;
  }

  private mark(): Mark {
    return { offset: this.pos, lfs: this.lfs };
  }

  /** Parses the part whose header starts at pos; leaves pos at the delimiter line that ends it, or at the end. */
  private parsePart(defaultType: string, depth: number): { node: MimeNode; end: Mark } {
    this.parts++;
    if (this.parts >= MAX_PARTS) this.exhausted = true;
    const start = this.mark();
    const { fields, body } = this.readHeader(start);
    let description = describePart(fields, defaultType);
    const container = isContainer(description.contentType);
    if (body === null) {
      // The header ran into a delimiter line or the end of the message: there is no body.
      const end = this.stop ? this.endBefore(this.pos, start) : this.mark();
      const node = makeNode(description, start, end, end, this.raw);
      if (container) node.children = [emptyPart(end.offset)];
      return { node, end };
    }
    const canNest = depth < MAX_DEPTH && !this.exhausted;
    const typeField = fields.get('content-type');
    const boundary = typeField && description.contentType.startsWith('multipart/') ? boundaryKey(description.params.boundary, typeField.encoding) : null;
    if (boundary !== null && canNest) return this.parseMultipart(description, boundary, start, body, depth);
    if (container && !description.contentType.startsWith('multipart/') && IDENTITY_ENCODINGS.has(description.encoding) && canNest) {
      const inner = this.parsePart('text/plain', depth + 1);
      const node = makeNode(description, start, body, inner.end, this.raw);
      node.children = [inner.node];
      return { node, end: inner.end };
    }
    if (container) {
      // Too deep, too many parts, an encoded message or a multipart without a
      // boundary: kept whole, as a part IMAP can describe and a client can save.
      description = { ...description, contentType: 'application/octet-stream', params: {} };
    }
    const end = this.skipToDelimiter(body);
    return { node: makeNode(description, start, body, end, this.raw), end };
  }

  /** RFC 2046 5.1.1: preamble, parts between delimiter lines, close delimiter, epilogue. */
  private parseMultipart(description: PartDescription, boundary: string, start: Mark, body: Mark, depth: number): { node: MimeNode; end: Mark } {
    const level = this.open(boundary);
    // RFC 2046 5.1.5: in a digest the default part is a message.
    const childType = description.contentType === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
    const children: MimeNode[] = [];
    let end = this.skipToDelimiter(body);
    let closed = false;
    // Anything but our own delimiter (an outer one, or the end) ends this multipart: a missing close delimiter.
    while (this.stop !== null && this.stop.level === level) {
      this.skipLine();
      if (this.stop.close) {
        closed = true;
        break;
      }
      const child = this.parsePart(childType, depth + 1);
      children.push(child.node);
      end = child.end;
    }
    this.close(boundary);
    // The epilogue runs to an outer delimiter; our own boundary no longer counts in it.
    if (closed) end = this.skipToDelimiter(body);
    const node = makeNode(description, start, body, end, this.raw);
    // RFC 2046 5.1.1 asks for at least one part; like Dovecot, stand in an empty text part so IMAP can always describe it.
    node.children = children.length > 0 ? children : [emptyPart(end.offset)];
    return { node, end };
  }

  private open(boundary: string): number {
    const level = this.shadowed.length;
    this.shadowed.push(this.levels.get(boundary));
    this.levels.set(boundary, level);
    this.longestBoundary = Math.max(this.longestBoundary, boundary.length);
    return level;
  }

  private close(boundary: string): void {
    const previous = this.shadowed.pop();
    if (previous === undefined) this.levels.delete(boundary);
    else this.levels.set(boundary, previous);
  }

  /**
   * Reads header lines up to the empty line. body is where the body starts,
   * or null when a delimiter line or the end of the message came first.
   */
  private readHeader(start: Mark): { fields: Map<string, HeaderField>; body: Mark | null } {
    const raw = this.raw;
    const length = raw.length;
    const ranges = new Map<string, [number, number]>();
    let current: [number, number] | null = null;
    let body: Mark | null = null;
    this.stop = null;
    while (this.pos < length) {
      const p = this.pos;
      const next = lineEnd(raw, p);
      const delimiter = raw[p] === DASH ? this.delimiterAt(p, next) : null;
      if (delimiter) {
        this.stop = delimiter;
        break;
      }
      this.skipLine(next);
      if (next - p === 1 || (next - p === 2 && raw[p] === CR && raw[p + 1] === LF)) {
        body = this.mark();
        break;
      }
      if (raw[p] === SP || raw[p] === HT) {
        if (current) current[1] = next;
        continue;
      }
      current = null;
      const field = contentField(raw, p, next);
      if (field && !ranges.has(field.name)) {
        // The first occurrence counts, as for mailparser.
        current = [field.valueStart, next];
        ranges.set(field.name, current);
      }
    }
    const fields = new Map<string, HeaderField>();
    for (const [name, [from, to]] of ranges) fields.set(name, readField(raw, from, to));
    return { fields, body };
  }

  /**
   * Reads lines until a delimiter of an open multipart (left unread at pos)
   * or the end of the message, and returns where the text before it ends.
   */
  private skipToDelimiter(from: Mark): Mark {
    const raw = this.raw;
    const length = raw.length;
    let p = this.pos;
    let lfs = this.lfs;
    this.stop = null;
    while (p < length) {
      if (this.shadowed.length === 0 || this.exhausted) {
        lfs += countLf(raw, p, length);
        p = length;
        break;
      }
      if (raw[p] === DASH) {
        const next = lineEnd(raw, p);
        const delimiter = this.delimiterAt(p, next);
        if (delimiter) {
          this.pos = p;
          this.lfs = lfs;
          this.stop = delimiter;
          return this.endBefore(p, from);
        }
        if (raw[next - 1] === LF) lfs++;
        p = next;
        continue;
      }
      // Jump to the next line that starts with "--"; nothing before it can end this part.
      const found = raw.indexOf(LINE_START_DELIMITER, p);
      const to = found === -1 ? length : found + 1;
      lfs += countLf(raw, p, to);
      p = to;
    }
    this.pos = length;
    this.lfs = lfs;
    return this.mark();
  }

  /** RFC 2046 5.1.1: the line break before a delimiter line belongs to the delimiter. */
  private endBefore(delimiterLine: number, floor: Mark): Mark {
    const raw = this.raw;
    let end = delimiterLine;
    if (end > 0 && raw[end - 1] === LF) end -= end > 1 && raw[end - 2] === CR ? 2 : 1;
    if (end <= floor.offset) return floor;
    return { offset: end, lfs: this.lfs - 1 };
  }

  /** Whether the line [p, next) is "--" boundary ["--"] with only spaces and tabs after it. */
  private delimiterAt(p: number, next: number): Delimiter | null {
    const raw = this.raw;
    if (this.shadowed.length === 0 || this.exhausted || raw[p] !== DASH || raw[p + 1] !== DASH) return null;
    let end = next;
    if (end > p && raw[end - 1] === LF) end--;
    if (end > p && raw[end - 1] === CR) end--;
    while (end > p + 2 && (raw[end - 1] === SP || raw[end - 1] === HT)) end--;
    if (end - p > this.longestBoundary + 4) return null;
    const text = raw.toString('latin1', p + 2, end);
    const level = this.levels.get(text);
    if (level !== undefined) return { level, close: false };
    if (text.endsWith('--')) {
      const closed = this.levels.get(text.slice(0, -2));
      if (closed !== undefined) return { level: closed, close: true };
    }
    return null;
  }

  private skipLine(next = lineEnd(this.raw, this.pos)): void {
    if (this.raw[next - 1] === LF) this.lfs++;
    this.pos = next;
  }
}

function lineEnd(raw: Buffer, p: number): number {
  const lf = raw.indexOf(LF, p);
  return lf === -1 ? raw.length : lf + 1;
}

function countLf(raw: Buffer, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (raw[i] === LF) count++;
  return count;
}

/** Where the value of a Content-* field we keep starts, and its lower-case name; null for other lines. */
function contentField(raw: Buffer, p: number, next: number): { name: string; valueStart: number } | null {
  if (raw[p] !== 0x63 && raw[p] !== 0x43) return null; // "c" or "C"
  // Looked for only as far as the longest name we keep (and some spaces), so a line without a colon costs little.
  const limit = Math.min(next, p + LONGEST_FIELD_NAME + 8);
  let colon = p;
  while (colon < limit && raw[colon] !== COLON) colon++;
  if (colon === limit) return null;
  const name = raw.toString('latin1', p, colon).trimEnd().toLowerCase();
  return FIELDS.has(name) ? { name, valueStart: colon + 1 } : null;
}

/** The unfolded value of a header field (RFC 5322 2.2.3). */
function readField(raw: Buffer, from: number, to: number): HeaderField {
  const bytes = raw.subarray(from, Math.min(to, from + MAX_FIELD_BYTES));
  let text: string;
  let encoding: HeaderField['encoding'] = 'utf8';
  try {
    text = utf8.decode(bytes);
  } catch {
    text = bytes.toString('latin1');
    encoding = 'latin1';
  }
  return { text: text.replace(/[\r\n]/g, '').trim(), encoding };
}

function textDefault(): PartDescription {
  // RFC 2045 5.2: no or an unusable Content-Type means text/plain; charset=us-ascii.
  return { contentType: 'text/plain', params: { charset: 'us-ascii' }, encoding: '7bit' };
}

function describePart(fields: Map<string, HeaderField>, defaultType: string): PartDescription {
  const description = contentTypeOf(fields.get('content-type'), defaultType);
  const encoding = fields.get('content-transfer-encoding')?.text.toLowerCase().match(/^[^\s;(]+/)?.[0];
  if (encoding) description.encoding = encoding;
  for (const [key, name] of [['id', 'content-id'], ['description', 'content-description'], ['md5', 'content-md5'], ['location', 'content-location']] as const) {
    const value = fields.get(name)?.text;
    if (value) description[key] = value;
  }
  const language = fields.get('content-language')?.text.replace(/\([^)]*\)/g, '').split(',').map((tag) => tag.trim()).filter(Boolean);
  if (language?.length) description.language = language;
  const disposition = fields.get('content-disposition');
  if (disposition) {
    const parsed = parseValue(disposition.text);
    const type = parsed.value.trim().toLowerCase();
    if (type) description.disposition = { type, params: parsed.params };
  }
  return description;
}

function contentTypeOf(field: HeaderField | undefined, defaultType: string): PartDescription {
  if (!field) return defaultType === 'text/plain' ? textDefault() : { contentType: defaultType, params: {}, encoding: '7bit' };
  const parsed = parseValue(field.text);
  const [type, subtype, ...rest] = parsed.value.toLowerCase().split('/').map((piece) => piece.trim());
  if (!TOKEN.test(type) || subtype === undefined || !TOKEN.test(subtype) || rest.length > 0) return textDefault();
  return { contentType: `${type}/${subtype}`, params: parsed.params, encoding: '7bit' };
}

/** A structured value with its parameters decoded; RFC 2231 by libmime, RFC 2047 words (common in names) here. */
function parseValue(text: string): { value: string; params: Record<string, string> } {
  const parsed = libmime.parseHeaderValue(text, { stripComments: true });
  const params: Record<string, string> = {};
  const decoded = new Set(parsed.decodedParams ?? []);
  for (const [name, value] of Object.entries(parsed.params)) {
    if (!name || name === '__proto__' || typeof value !== 'string') continue;
    // The boundary is matched byte for byte, so it is never decoded.
    params[name] = !decoded.has(name) && name !== 'boundary' && value.includes('=?') ? libmime.decodeWords(value) : value;
  }
  return { value: parsed.value, params };
}

/** The boundary as the Latin-1 string of its bytes, as delimiterAt reads lines; null when there is none. */
function boundaryKey(boundary: string | undefined, encoding: HeaderField['encoding']): string | null {
  const trimmed = boundary?.replace(/[ \t]+$/, '');
  return trimmed ? Buffer.from(trimmed, encoding).toString('latin1') : null;
}

/** Multiparts and the message types whose body is a message (RFC 2046 5.2.1, RFC 6532 3.5). */
function isContainer(contentType: string): boolean {
  return contentType.startsWith('multipart/') || contentType === 'message/rfc822' || contentType === 'message/global';
}

function makeNode(description: PartDescription, start: Mark, body: Mark, end: Mark, raw: Buffer): MimeNode {
  const size = end.offset - body.offset;
  const lines = size === 0 ? 0 : end.lfs - body.lfs + (raw[end.offset - 1] === LF ? 0 : 1);
  return { start: start.offset, bodyStart: body.offset, end: end.offset, ...description, size, lines };
}

function emptyPart(at: number): MimeNode {
  return { start: at, bodyStart: at, end: at, ...textDefault(), size: 0, lines: 0 };
}
