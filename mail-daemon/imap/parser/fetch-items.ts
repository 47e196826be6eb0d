// FETCH data items (RFC 3501 6.4.5, RFC 9051 6.4.5, RFC 7162 3.1.4): the
// macros ALL/FAST/FULL, plain items, and BODY[section]<partial> with its
// section grammar. Pure, on the parsed tokens.
import { ImapParseError, type Token } from './command-parser.ts';
import { atomsOf } from './argument-reader.ts';

export type SectionText = 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';

export interface Section {
  /** Part numbers; [] is the message itself. */
  path: number[];
  text?: SectionText;
  /** Upper-case field names for HEADER.FIELDS (NOT). */
  fields?: string[];
}

export type FetchItem =
  | { kind: 'simple'; name: 'UID' | 'FLAGS' | 'INTERNALDATE' | 'RFC822.SIZE' | 'ENVELOPE' | 'BODY' | 'BODYSTRUCTURE' | 'MODSEQ' }
  /** RFC822, RFC822.HEADER, RFC822.TEXT: old names for BODY[], BODY.PEEK[HEADER] and BODY[TEXT]. */
  | { kind: 'rfc822'; name: 'RFC822' | 'RFC822.HEADER' | 'RFC822.TEXT' }
  | { kind: 'body'; peek: boolean; section: Section; partial?: { start: number; length?: number }; binary: boolean }
  | { kind: 'binary-size'; section: Section };

const SIMPLE = new Set(['UID', 'FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY', 'BODYSTRUCTURE', 'MODSEQ']);
const MACROS: Record<string, string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};
const MAX_PART_DEPTH = 100;

export function parseSection(tokens: Token[]): Section {
  if (tokens.length === 0) return { path: [] };
  const first = tokens[0];
  if (first.type !== 'atom' || first.section) throw new ImapParseError('invalid section');
  const pieces = first.value.toUpperCase().split('.');
  const path: number[] = [];
  while (pieces.length > 0 && /^\d+$/.test(pieces[0])) {
    const n = Number(pieces.shift());
    if (n < 1 || n > 0xffffffff) throw new ImapParseError('invalid part number');
    path.push(n);
  }
  if (path.length > MAX_PART_DEPTH) throw new ImapParseError('section is too deep');
  const text = pieces.join('.');
  const rest = tokens.slice(1);
  if (text === '') {
    if (rest.length > 0) throw new ImapParseError('invalid section');
    return { path };
  }
  if (text === 'HEADER.FIELDS' || text === 'HEADER.FIELDS.NOT') {
    if (rest.length !== 1 || rest[0].type !== 'list') throw new ImapParseError(`${text} needs a list of field names`);
    const fields = rest[0].items.map((t) => {
      if (t.type === 'list' || (t.type === 'atom' && t.section)) throw new ImapParseError('invalid header field name');
      const name = (t.type === 'atom' ? t.value : t.value.toString('latin1')).toUpperCase();
      if (!/^[A-Z0-9!#$%&'*+\-.^_`|~]{1,200}$/.test(name)) throw new ImapParseError('invalid header field name');
      return name;
    });
    if (fields.length === 0) throw new ImapParseError(`${text} needs at least one field name`);
    return { path, text, fields };
  }
  if (rest.length > 0) throw new ImapParseError('invalid section');
  if (text === 'HEADER' || text === 'TEXT') return { path, text };
  // RFC 3501 6.4.5: MIME names the header of a part, so never of the message itself.
  if (text === 'MIME' && path.length > 0) return { path, text };
  throw new ImapParseError(`invalid section ${text}`);
}

function item(token: Token): FetchItem {
  if (token.type !== 'atom') throw new ImapParseError('invalid fetch item');
  const name = token.value.toUpperCase();
  if (token.section) {
    const section = parseSection(token.section);
    if (name === 'BODY' || name === 'BODY.PEEK') {
      return { kind: 'body', peek: name === 'BODY.PEEK', section, ...(token.partial ? { partial: token.partial } : {}), binary: false };
    }
    if (name === 'BINARY' || name === 'BINARY.PEEK' || name === 'BINARY.SIZE') {
      // RFC 3516: BINARY sections are part numbers only.
      if (section.text) throw new ImapParseError('a BINARY section is part numbers only');
      if (name === 'BINARY.SIZE') {
        if (token.partial) throw new ImapParseError('BINARY.SIZE takes no partial');
        return { kind: 'binary-size', section };
      }
      return { kind: 'body', peek: name === 'BINARY.PEEK', section, ...(token.partial ? { partial: token.partial } : {}), binary: true };
    }
    throw new ImapParseError(`unknown fetch item ${name}`);
  }
  if (SIMPLE.has(name)) return { kind: 'simple', name } as FetchItem;
  if (name === 'RFC822' || name === 'RFC822.HEADER' || name === 'RFC822.TEXT') return { kind: 'rfc822', name };
  throw new ImapParseError(`unknown fetch item ${name.slice(0, 40)}`);
}

/** A macro, one item, or a parenthesized list of items. */
export function parseFetchItems(token: Token): FetchItem[] {
  if (token.type === 'atom' && !token.section && MACROS[token.value.toUpperCase()]) {
    return MACROS[token.value.toUpperCase()].map((name) => ({ kind: 'simple', name }) as FetchItem);
  }
  const tokens = token.type === 'list' ? token.items : [token];
  if (tokens.length === 0) throw new ImapParseError('empty fetch item list');
  return tokens.map(item);
}

export interface FetchModifiers {
  changedSince?: number;
  vanished?: boolean;
}

/** RFC 7162 3.1.4: (CHANGEDSINCE n), and 3.2.6: VANISHED beside it. */
export function parseFetchModifiers(tokens: Token[]): FetchModifiers {
  const modifiers: FetchModifiers = {};
  for (let i = 0; i < tokens.length; i++) {
    const [name] = atomsOf([tokens[i]], 'fetch modifier');
    if (name.toUpperCase() === 'CHANGEDSINCE') {
      const value = tokens[++i];
      if (value?.type !== 'atom' || !/^\d{1,19}$/.test(value.value)) throw new ImapParseError('CHANGEDSINCE needs a number');
      modifiers.changedSince = Number(value.value);
    } else if (name.toUpperCase() === 'VANISHED') {
      modifiers.vanished = true;
    } else {
      throw new ImapParseError(`unknown fetch modifier ${name.slice(0, 40)}`);
    }
  }
  // RFC 7162 3.2.6: VANISHED only with CHANGEDSINCE.
  if (modifiers.vanished && modifiers.changedSince === undefined) throw new ImapParseError('VANISHED needs CHANGEDSINCE');
  return modifiers;
}

/** The item name as the response writes it (RFC 3501 7.4.2): PEEK dropped, partial as <origin>. */
export function responseName(item: Extract<FetchItem, { kind: 'body' | 'binary-size' }>): string {
  const base = item.kind === 'binary-size' ? 'BINARY.SIZE' : item.binary ? 'BINARY' : 'BODY';
  const { path, text, fields } = item.section;
  let section = path.join('.');
  if (text) section += (section ? '.' : '') + text;
  if (fields) section += ` (${fields.join(' ')})`;
  const partial = item.kind === 'body' && item.partial ? `<${item.partial.start}>` : '';
  return `${base}[${section}]${partial}`;
}
