// The fields of a header section as they are in the message (RFC 5322 2.2):
// each with its raw bytes, folding kept, for BODY[HEADER.FIELDS (...)], and
// unfolded for ENVELOPE and SEARCH HEADER.

export interface HeaderField {
  /** Lower case. */
  name: string;
  /** The field's bytes with its line breaks, as in the message. */
  raw: Buffer;
}

/** Splits a header section (with or without its ending empty line) into fields. */
export function splitHeaderFields(header: Buffer): HeaderField[] {
  const fields: HeaderField[] = [];
  let start = 0;
  let fieldStart = -1;
  const finish = (end: number) => {
    if (fieldStart === -1) return;
    const raw = header.subarray(fieldStart, end);
    const colon = raw.indexOf(0x3a);
    if (colon > 0) fields.push({ name: raw.toString('latin1', 0, colon).trim().toLowerCase(), raw });
    fieldStart = -1;
  };
  while (start < header.length) {
    let end = header.indexOf(0x0a, start);
    end = end === -1 ? header.length : end + 1;
    const first = header[start];
    const blank = first === 0x0a || (first === 0x0d && header[start + 1] === 0x0a);
    if (blank) break;
    if (first === 0x20 || first === 0x09) {
      // A continuation line belongs to the field before it.
    } else {
      finish(start);
      fieldStart = start;
    }
    start = end;
  }
  finish(start);
  return fields;
}

/** The unfolded value of a field (RFC 5322 2.2.3), as UTF-8 text. */
export function fieldValue(field: HeaderField): string {
  const text = field.raw.toString('utf8');
  return text.slice(text.indexOf(':') + 1).replace(/\r?\n(?=[ \t])/g, '').replace(/\r?\n$/, '').trim();
}

/** The first field of a name, unfolded, or null. */
export function firstValue(fields: HeaderField[], name: string): string | null {
  const field = fields.find((f) => f.name === name);
  return field ? fieldValue(field) : null;
}

/** BODY[HEADER.FIELDS (...)] and (NOT): the chosen fields and the empty line (RFC 3501 6.4.5). */
export function selectHeaderFields(header: Buffer, names: string[], exclude: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const picked = splitHeaderFields(header).filter((f) => wanted.has(f.name) !== exclude);
  return Buffer.concat([...picked.map((f) => (f.raw[f.raw.length - 1] === 0x0a ? f.raw : Buffer.concat([f.raw, CRLF]))), CRLF]);
}

const CRLF = Buffer.from('\r\n');
