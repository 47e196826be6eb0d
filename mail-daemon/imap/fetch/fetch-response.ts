// The data items of one message's FETCH response (RFC 3501 7.4.2, RFC 3516,
// RFC 7162 3.1.4), from its row and, when an item needs them, its stored
// bytes and MIME tree. Body sections are slices of the stored bytes.
import { createRequire } from 'node:module';
import type { MessageState } from '../../store/messages.ts';
import { bodyBytes, findPart, headerBytes, type MimeNode } from '../../store/mime-structure.ts';
import { formatImapDate } from '../imap-date.ts';
import { no } from '../imap-error.ts';
import type { FetchItem, Section } from '../parser/fetch-items.ts';
import { responseName } from '../parser/fetch-items.ts';
import { literal, str, type ResponseValue } from '../parser/response.ts';
import type { LoadedContent } from '../../store/bulk-reads.ts';
import { bodyStructure } from './body-structure.ts';
import { envelope, storedEnvelope } from './envelope.ts';
import { selectHeaderFields } from '../../store/header-fields.ts';

// libqp ships no types; its decoder is the one piece used here.
const libqp = createRequire(import.meta.url)('libqp') as { decode(text: string): Buffer };

/** Whether an item needs the stored bytes. */
export function needsContent(item: FetchItem): boolean {
  return item.kind === 'body' || item.kind === 'binary-size' || item.kind === 'rfc822' || (item.kind === 'simple' && (item.name === 'ENVELOPE' || item.name === 'BODY' || item.name === 'BODYSTRUCTURE'));
}

/** Whether the item is ENVELOPE, which the store keeps worked out. */
export function isEnvelope(item: FetchItem): boolean {
  return item.kind === 'simple' && item.name === 'ENVELOPE';
}

/** Whether the item reads only the message's own header (ENVELOPE, BODY[HEADER...], RFC822.HEADER), so the body need not be loaded. */
export function needsHeaderOnly(item: FetchItem): boolean {
  if (item.kind === 'simple') return item.name === 'ENVELOPE';
  if (item.kind === 'rfc822') return item.name === 'RFC822.HEADER';
  if (item.kind !== 'body' || item.binary || item.section.path.length > 0) return false;
  return item.section.text === 'HEADER' || item.section.text === 'HEADER.FIELDS' || item.section.text === 'HEADER.FIELDS.NOT';
}

/** Whether fetching the item sets \Seen (RFC 3501 6.4.5: BODY[...] and RFC822 without PEEK). */
export function setsSeen(item: FetchItem): boolean {
  return (item.kind === 'body' && !item.peek) || (item.kind === 'rfc822' && item.name !== 'RFC822.HEADER');
}

/** The bytes of a section, or null when the message has no such part. */
export function sectionBytes(raw: Buffer, root: MimeNode, section: Section): Buffer | null {
  const node = findPart(root, section.path);
  if (!node) return null;
  const { text } = section;
  if (text === 'MIME') return headerBytes(raw, node);
  if (text === undefined) return section.path.length === 0 ? raw : bodyBytes(raw, node);
  // HEADER, HEADER.FIELDS and TEXT of a part name the message a message/rfc822 part holds.
  let message = node;
  if (section.path.length > 0) {
    if (!node.contentType.startsWith('message/') || node.children?.length !== 1) return null;
    message = node.children[0];
  }
  if (text === 'TEXT') return bodyBytes(raw, message);
  const header = headerBytes(raw, message);
  return text === 'HEADER' ? header : selectHeaderFields(header, section.fields!, text === 'HEADER.FIELDS.NOT');
}

/** A part's body without its transfer encoding (RFC 3516 BINARY). */
function decodedPart(raw: Buffer, root: MimeNode, section: Section): Buffer | null {
  const node = findPart(root, section.path);
  if (!node) return null;
  const body = bodyBytes(raw, node);
  switch (node.encoding || '7bit') {
    case '7bit':
    case '8bit':
    case 'binary':
      return body;
    case 'base64':
      return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return libqp.decode(body.toString('latin1'));
    default:
      // RFC 3516 4.3: UNKNOWN-CTE.
      throw no('UNKNOWN-CTE', `cannot decode ${node.encoding}`);
  }
}

function partial(bytes: Buffer, range: { start: number; length?: number } | undefined): Buffer {
  if (!range) return bytes;
  return bytes.subarray(Math.min(range.start, bytes.length), range.length === undefined ? undefined : Math.min(range.start + range.length, bytes.length));
}

export function fetchItemValues(message: Omit<MessageState, 'id'>, content: LoadedContent | undefined, items: FetchItem[]): ResponseValue[] {
  const out: ResponseValue[] = [];
  for (const item of items) {
    if (item.kind === 'simple') {
      out.push(item.name);
      switch (item.name) {
        case 'UID':
          out.push(message.uid);
          break;
        case 'FLAGS':
          out.push(message.flags);
          break;
        case 'INTERNALDATE':
          out.push(str(formatImapDate(message.internalDate)));
          break;
        case 'RFC822.SIZE':
          out.push(message.size);
          break;
        case 'MODSEQ':
          out.push([message.modseq]);
          break;
        case 'ENVELOPE':
          out.push(content!.envelope ? storedEnvelope(content!.envelope) : envelope(headerBytes(content!.raw, content!.structure)));
          break;
        case 'BODY':
        case 'BODYSTRUCTURE':
          out.push(bodyStructure(content!.raw, content!.structure, item.name === 'BODYSTRUCTURE'));
          break;
      }
      continue;
    }
    const { raw, structure } = content!;
    if (item.kind === 'rfc822') {
      const bytes = item.name === 'RFC822' ? raw : item.name === 'RFC822.HEADER' ? headerBytes(raw, structure) : bodyBytes(raw, structure);
      out.push(item.name, literal(bytes));
    } else if (item.kind === 'binary-size') {
      out.push(responseName(item), decodedPart(raw, structure, item.section)?.length ?? 0);
    } else {
      const bytes = item.binary ? decodedPart(raw, structure, item.section) : sectionBytes(raw, structure, item.section);
      out.push(responseName(item), bytes === null ? null : literal(partial(bytes, item.partial)));
    }
  }
  return out;
}
