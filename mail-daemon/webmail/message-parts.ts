// The parts of a stored message as the reading view sees them: the text and
// HTML bodies to show, and every other leaf as an attachment, each named by
// its IMAP section number (RFC 3501 6.4.5) so that a download is
// `findPart(structure, path)` on the stored MIME tree, never a parse.
import { bodyBytes, findPart, type MimeNode } from '../store/mime-structure.ts';

export interface AttachmentInfo {
  /** Section number, e.g. "2" or "1.2". */
  path: string;
  filename: string;
  contentType: string;
  /** Decoded size, estimated from the encoded one. */
  size: number;
  /** Content-ID without the angle brackets, for cid: references. */
  contentId?: string;
  /** Shown within the HTML (an image of a multipart/related that the HTML refers to) rather than listed. */
  inline: boolean;
}

export interface MessageParts {
  text?: { path: string; node: MimeNode };
  html?: { path: string; node: MimeNode };
  attachments: AttachmentInfo[];
}

/** Splits the tree into bodies and attachments. */
export function messageParts(structure: MimeNode): MessageParts {
  const parts: MessageParts = { attachments: [] };
  const isMultipart = structure.contentType.startsWith('multipart/');
  if (isMultipart) walk(structure, [], parts, false);
  else leaf(structure, [1], parts, false);
  return parts;
}

function walk(node: MimeNode, path: number[], parts: MessageParts, inRelated: boolean): void {
  const children = node.children ?? [];
  const related = inRelated || node.contentType === 'multipart/related';
  children.forEach((child, i) => {
    const childPath = [...path, i + 1];
    if (child.contentType.startsWith('multipart/')) walk(child, childPath, parts, related);
    else leaf(child, childPath, parts, related);
  });
}

function leaf(node: MimeNode, path: number[], parts: MessageParts, inRelated: boolean): void {
  const disposition = node.disposition?.type;
  const name = filenameOf(node);
  const isBodyText = (node.contentType === 'text/plain' || node.contentType === 'text/html') && disposition !== 'attachment' && !name;
  const key = node.contentType === 'text/html' ? 'html' : 'text';
  if (isBodyText && !parts[key]) {
    parts[key] = { path: path.join('.'), node };
    return;
  }
  const contentId = node.id?.replace(/^<|>$/g, '').trim() || undefined;
  parts.attachments.push({
    path: path.join('.'),
    filename: name || defaultName(node, path),
    contentType: node.contentType,
    size: decodedSize(node),
    contentId,
    inline: Boolean(contentId) && inRelated && disposition !== 'attachment' && node.contentType.startsWith('image/'),
  });
}

function filenameOf(node: MimeNode): string {
  const raw = node.disposition?.params.filename ?? node.params.name ?? '';
  // Only the last path segment, and nothing a file system or a header would choke on.
  // eslint-disable-next-line no-control-regex
  return raw.split(/[\\/]/).pop()!.replace(/[\x00-\x1f\x7f"]/g, '').trim().slice(0, 255);
}

const EXTENSIONS: Record<string, string> = {
  'message/rfc822': 'eml',
  'text/plain': 'txt',
  'text/html': 'html',
  'text/calendar': 'ics',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'application/pdf': 'pdf',
};

function defaultName(node: MimeNode, path: number[]): string {
  return `part-${path.join('.')}.${EXTENSIONS[node.contentType] ?? 'bin'}`;
}

function decodedSize(node: MimeNode): number {
  return node.encoding === 'base64' ? Math.floor((node.size * 3) / 4 * (76 / 78)) : node.size;
}

/** The part at a section number such as "1.2" that is a leaf; undefined for anything else. */
export function leafAt(structure: MimeNode, path: string): MimeNode | undefined {
  if (!/^\d{1,4}(\.\d{1,4}){0,50}$/.test(path)) return undefined;
  const node = findPart(structure, path.split('.').map(Number));
  if (!node || node.contentType.startsWith('multipart/')) return undefined;
  return node;
}

/** A part's body with its transfer encoding undone (RFC 2045 6). */
export function decodedBody(raw: Buffer, node: MimeNode): Buffer {
  const body = bodyBytes(raw, node);
  if (node.encoding === 'base64') return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (node.encoding === 'quoted-printable') {
    // RFC 2045 6.7: soft line breaks go, =XX becomes the byte.
    const text = body.toString('latin1').replace(/=\r?\n/g, '');
    return Buffer.from(text.replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  }
  return Buffer.from(body);
}

/** A text part as a string, in its declared charset (UTF-8 when unknown). */
export function decodedText(raw: Buffer, node: MimeNode): string {
  const bytes = decodedBody(raw, node);
  const charset = node.params.charset?.trim() || 'utf-8';
  try {
    // Node's TextDecoder knows the WHATWG encodings (ISO-8859-x, windows-125x, Shift_JIS, GB18030, KOI8...).
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}
