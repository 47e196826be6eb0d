// Writes IMAP response data (RFC 3501 4, 9): atoms as they are, strings quoted
// when they can be and as literals otherwise, NIL, numbers and parenthesized
// lists. Pure: values in, Buffers out; message bytes are passed through as
// slices, never copied into one string.

/** A string value: quoted if it is short, 7-bit and has no CR/LF, else a literal. */
export class ImapString {
  constructor(readonly value: string | Buffer) {}
}

/** Always a literal (message bodies). */
export class ImapLiteral {
  constructor(readonly value: Buffer) {}
}

/** Written as it is: atoms, flags, item names, numbers. */
export type ResponseValue = string | number | null | ImapString | ImapLiteral | ResponseValue[];

export function str(value: string | Buffer | null | undefined): ImapString | null {
  return value === null || value === undefined ? null : new ImapString(value);
}

export function literal(value: Buffer): ImapLiteral {
  return new ImapLiteral(value);
}

export interface SerializeOptions {
  /** UTF8=ACCEPT is enabled (RFC 6855): 8-bit text may be quoted. */
  utf8?: boolean;
}

/** The longest string written quoted; a longer one is a literal. */
export const MAX_QUOTED = 1024;
/** 7-bit text without NUL, CR or LF: quotable in every mode. */
const PLAIN_TEXT = /^[\x01-\x09\x0b\x0c\x0e-\x7f]*$/;

function quotable(bytes: Buffer, utf8: boolean): boolean {
  if (bytes.length > MAX_QUOTED) return false;
  for (const byte of bytes) {
    if (byte === 0x0a || byte === 0x0d || byte === 0) return false;
    if (byte >= 0x80 && !utf8) return false;
  }
  return true;
}

/** A 7-bit string short enough to quote, quoted (the same in every mode); null for any other. */
export function plainQuoted(text: string): string | null {
  return text.length <= MAX_QUOTED && PLAIN_TEXT.test(text) ? `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"` : null;
}

/** Appends the bytes of one value to `out`; text pieces are merged, literals stay separate Buffers. */
function write(value: ResponseValue, out: (string | Buffer)[], options: SerializeOptions): void {
  if (value === null) out.push('NIL');
  else if (typeof value === 'number') out.push(String(value));
  else if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) {
    out.push('(');
    value.forEach((item, i) => {
      if (i > 0) out.push(' ');
      write(item, out, options);
    });
    out.push(')');
  } else if (value instanceof ImapLiteral) {
    out.push(`{${value.value.length}}\r\n`, value.value);
  } else {
    // Most strings (addresses, dates, ASCII subjects) are quoted as they are, without a trip through bytes.
    const plain = typeof value.value === 'string' ? plainQuoted(value.value) : null;
    if (plain !== null) {
      out.push(plain);
      return;
    }
    const bytes = typeof value.value === 'string' ? Buffer.from(value.value, 'utf8') : value.value;
    if (quotable(bytes, options.utf8 ?? false)) {
      out.push(`"${bytes.toString(options.utf8 ? 'utf8' : 'latin1').replace(/[\\"]/g, (c) => `\\${c}`)}"`);
    } else {
      out.push(`{${bytes.length}}\r\n`, bytes);
    }
  }
}

/** One response line (values separated by spaces) with its CRLF, as Buffers ready to write. */
export function serializeLine(values: ResponseValue[], options: SerializeOptions = {}): Buffer[] {
  const pieces: (string | Buffer)[] = [];
  values.forEach((value, i) => {
    if (i > 0) pieces.push(' ');
    write(value, pieces, options);
  });
  pieces.push('\r\n');
  // Merge neighbouring text; keep big Buffers as slices.
  const out: Buffer[] = [];
  let text = '';
  for (const piece of pieces) {
    if (typeof piece === 'string') text += piece;
    else {
      if (text) out.push(Buffer.from(text, 'utf8'));
      text = '';
      out.push(piece);
    }
  }
  if (text) out.push(Buffer.from(text, 'utf8'));
  return out;
}

/** A response line as text, for tests and logs. */
export function serializeToString(values: ResponseValue[], options: SerializeOptions = {}): string {
  return Buffer.concat(serializeLine(values, options)).toString('utf8');
}
