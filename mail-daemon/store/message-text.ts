// The searchable text of a message, and the index terms made from it, for
// full-text search (IMAP SEARCH BODY/TEXT, the web app's search).
//
// The text is what a reader sees: every text/* part decoded from its transfer
// encoding and charset (HTML with its tags taken out), and the header fields
// with their encoded words decoded (RFC 2047), nested messages included. It is
// worked out from the stored MIME tree (mime-structure.ts), so no second MIME
// parse is needed.
//
// IMAP asks for substring matches (RFC 3501 6.4.4), which a word index cannot
// answer by itself. So the terms of a message are, for every word, each of its
// suffixes (cut to TERM_LENGTH characters): a query word is inside some word
// of the text exactly when it is the start of one of these terms, which both
// SQLite FTS5 ("w"*) and PostgreSQL tsquery ('w':*) answer from the index.
// The index only narrows the candidates; the match is confirmed on the text.
import libmime from 'libmime';
import { createRequire } from 'node:module';
import { bodyBytes, headerBytes, type MimeNode } from './mime-structure.ts';

// libqp ships no types; its decoder is the one piece used here.
const libqp = createRequire(import.meta.url)('libqp') as { decode(text: string): Buffer };

export interface MessageText {
  /** Header fields, "Name: value" a line each, decoded; nested messages' headers are in body. */
  header: string;
  body: string;
}

/** Terms are cut here: longer query words are narrowed by their start and confirmed on the text. */
export const TERM_LENGTH = 16;
/** Beyond this many distinct terms a message is not indexed, only marked for a scan (PostgreSQL caps a tsvector at 1 MB). */
export const MAX_TERMS = 40_000;

const WORD_SEPARATORS = /[^\p{L}\p{N}]+/u;

/** Case-folded, NFC, whitespace collapsed: what both sides of a match are compared as. */
export function normalizeSearchText(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ');
}

/** The words of normalized text, the way both the index and the queries split it. */
export function searchWords(normalized: string): string[] {
  return normalized.split(WORD_SEPARATORS).filter(Boolean);
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** The distinct index terms of normalized text: every word's suffixes, cut to TERM_LENGTH. */
export function indexTerms(normalized: string): { terms: string[]; complete: boolean } {
  const terms = new Set<string>();
  const seen = new Set<string>();
  // The words as searchWords splits them, one at a time (no array of every word of a long text), with exec:
  // matchAll's generator cost as much as the rest (issue 12).
  const words = /[\p{L}\p{N}]+/gu;
  for (let match = words.exec(normalized); match; match = words.exec(normalized)) {
    const word = match[0];
    if (seen.has(word)) continue;
    seen.add(word);
    // Cut by characters, not UTF-16 units; a word without surrogate pairs (nearly all) has one unit a character,
    // so it is cut as a string, without an array of its characters: together with exec, half the time of a 2 kB text's terms.
    const chars = SURROGATE.test(word) ? Array.from(word) : word;
    for (let i = 0; i < chars.length; i++) {
      terms.add(typeof chars === 'string' ? chars.slice(i, i + TERM_LENGTH) : chars.slice(i, i + TERM_LENGTH).join(''));
      if (terms.size > MAX_TERMS) return { terms: [], complete: false };
    }
  }
  return { terms: [...terms], complete: true };
}

/** A query word as a prefix of terms: cut like the terms are. */
export function queryTerm(word: string): string {
  return Array.from(word).slice(0, TERM_LENGTH).join('');
}

/**
 * Decoded text kept per message, in bytes before it becomes characters.
 * Search covers only this much of a huge message, and the junk filter less:
 * decoding and indexing all of a 50 MB text would take many times that in
 * memory, and more than the budget of incoming messages allows for.
 */
export const MAX_MESSAGE_TEXT = 1024 * 1024;

/** The message's text from at most `maxBytes` decoded bytes: the rest is never decoded. */
export function extractMessageText(raw: Buffer, structure: MimeNode, maxBytes = MAX_MESSAGE_TEXT): MessageText {
  const header = headerText(headerBytes(raw, structure), maxBytes);
  const body: string[] = [];
  let left = maxBytes;
  // A character is at least one byte, so counting characters against the bytes left is on the safe side.
  const add = (text: string) => {
    if (!text) return;
    body.push(text.slice(0, left));
    left = Math.max(0, left - text.length - 1);
  };
  const walk = (node: MimeNode) => {
    if (left === 0) return;
    if (node.children) {
      const nestedMessage = node.contentType.startsWith('message/');
      for (const child of node.children) {
        if (nestedMessage) add(headerText(headerBytes(raw, child), left));
        walk(child);
      }
      return;
    }
    if (!node.contentType.startsWith('text/')) return;
    const decoded = decodeTextPart(raw, node, left);
    add(node.contentType === 'text/html' ? htmlToText(decoded) : decoded);
  };
  walk(structure);
  return { header, body: body.join('\n') };
}

function headerText(bytes: Buffer, maxBytes: number): string {
  const unfolded = bytes.subarray(0, maxBytes).toString('utf8').replace(/\r?\n[ \t]+/g, ' ');
  return unfolded
    .split(/\r?\n/)
    .filter((line) => line.includes(':'))
    .map((line) => {
      try {
        return libmime.decodeWords(line);
      } catch {
        return line;
      }
    })
    .join('\n');
}

/**
 * The start of a text part, decoded from its transfer encoding and charset:
 * what its first `maxBytes` decoded bytes say. Only the encoded bytes those
 * can come from are read: base64 takes 4 characters for 3 bytes, plus line
 * breaks; quoted-printable at most 3 for 1.
 */
export function decodeTextPart(raw: Buffer, node: MimeNode, maxBytes: number): string {
  const expansion = node.encoding === 'base64' ? 1.4 : node.encoding === 'quoted-printable' ? 3 : 1;
  const encoded = bodyBytes(raw, node);
  const decoded = decodeTransfer(encoded.subarray(0, Math.ceil(maxBytes * expansion) + 4), node.encoding);
  return decodeCharset(decoded.subarray(0, maxBytes), node.params.charset);
}

function decodeTransfer(body: Buffer, encoding: string): Buffer {
  switch (encoding) {
    case 'base64':
      return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return libqp.decode(body.toString('latin1'));
    default:
      return body;
  }
}

function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  // Node's TextDecoder knows the WHATWG encodings (ISO-8859-x, windows-125x, Shift_JIS, GB18030, KOI8...).
  try {
    return new TextDecoder(charset?.trim() || 'utf-8').decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Enough HTML to text for search and previews: scripts and styles out, tags become spaces, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[name.toLowerCase()] ?? entity;
    });
}
