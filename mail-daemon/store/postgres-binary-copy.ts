// Rows of a PostgreSQL query in COPY's binary format (`COPY (query) TO
// STDOUT (FORMAT binary)`), for the reads of message bytes (message-raw.ts).
// In a query's result a bytea column comes as text, hex or base64, which the
// server encodes at about 2 µs a kB (a 10 kB message: more CPU than Dovecot
// spends to send it) and we decode again; binary result columns would be the
// bytes themselves, but node-postgres decodes every field of a result row as
// UTF-8 text, which corrupts them (issue 13). COPY's data reaches us as it
// left the server (pg-copy-streams), and in the binary format each field is
// its value's bytes as the type's send function writes them: a bytea as it
// is stored, an integer as 4 bytes big-endian, text as UTF-8.
import type pg from 'pg';
import pgCopyStreams from 'pg-copy-streams';
import type { Prisma } from '../../prisma/generated/sqlite/client.ts';

/** A row's fields in the order of the query's columns; null for NULL. */
export type BinaryRow = (Buffer | null)[];

// The file header: signature, flags and the length of a header extension (PostgreSQL's COPY, "Binary Format").
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER = SIGNATURE.length + 8;

/**
 * Reads COPY data as it came, in chunks, without joining them first (a copy
 * of every byte): a piece that lies in one chunk is a view into it, one that
 * spans chunks is copied out. Throws a RangeError past the end.
 */
class ChunkReader {
  private index = 0;
  private at = 0;

  constructor(private readonly chunks: Buffer[]) {}

  /** The next `length` bytes. */
  take(length: number): Buffer {
    let chunk = this.chunks[this.index];
    while (chunk && this.at === chunk.length) [chunk, this.at] = [this.chunks[++this.index], 0];
    if (chunk && chunk.length - this.at >= length) return chunk.subarray(this.at, (this.at += length));
    const out = Buffer.allocUnsafe(length);
    for (let filled = 0; filled < length; ) {
      chunk = this.chunks[this.index];
      if (!chunk) throw new RangeError('COPY data ends early');
      const n = chunk.copy(out, filled, this.at, Math.min(chunk.length, this.at + length - filled));
      filled += n;
      this.at += n;
      if (this.at === chunk.length) [this.index, this.at] = [this.index + 1, 0];
    }
    return out;
  }
}

/** The tuples of COPY binary data, given in chunks; each field is a view into them where it lies in one. Throws on data cut short. */
export function parseBinaryCopy(chunks: Buffer[]): BinaryRow[] {
  const reader = new ChunkReader(chunks);
  const header = reader.take(HEADER);
  if (!header.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('COPY data is not in the binary format');
  reader.take(header.readUInt32BE(SIGNATURE.length + 4));
  const rows: BinaryRow[] = [];
  for (;;) {
    const fields = reader.take(2).readInt16BE(0);
    // The trailer: a field count of -1.
    if (fields === -1) return rows;
    const row: BinaryRow = new Array(fields);
    for (let i = 0; i < fields; i++) {
      const length = reader.take(4).readInt32BE(0);
      if (length < -1) throw new RangeError(`COPY data has a field of ${length} bytes`);
      row[i] = length === -1 ? null : reader.take(length);
    }
    rows.push(row);
  }
}

/** An integer, or an array of integers, written into SQL as a literal. */
function integerLiteral(value: unknown): string {
  if (Number.isSafeInteger(value)) return String(value);
  if (Array.isArray(value) && value.every((v) => Number.isSafeInteger(v))) return `'{${value.join(',')}}'`;
  throw new TypeError('a COPY statement takes only integers and arrays of integers as values');
}

/**
 * The statement with its values written in as literals: COPY takes no
 * parameters. Only integers are accepted, so no value can change the SQL.
 */
export function withIntegerLiterals(statement: Prisma.Sql): string {
  return statement.strings.reduce((sql, text, i) => (i === 0 ? text : `${sql}${integerLiteral(statement.values[i - 1])}${text}`), '');
}

/** The rows of a read-only statement, whose values are integers, through binary COPY on a connection of the pool. */
export async function binaryCopyRows(pool: pg.Pool, statement: Prisma.Sql): Promise<BinaryRow[]> {
  const client = await pool.connect();
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of client.query(pgCopyStreams.to(`COPY (${withIntegerLiterals(statement)}) TO STDOUT (FORMAT binary)`))) chunks.push(chunk as Buffer);
    const rows = parseBinaryCopy(chunks);
    client.release();
    return rows;
  } catch (error) {
    // The connection may be mid-COPY: closed rather than handed to the next query.
    client.release(error as Error);
    throw error;
  }
}
