// The body of a RETR or TOP reply as byte chunks (RFC 1939 3): every line ends
// with CRLF, a line that begins with "." gets one more "." in front, and the
// reply ends with ".\r\n". The message is never turned into a string: runs of
// lines that need no change are sent as slices of the stored bytes, gathered
// into chunks of about CHUNK_OCTETS so the socket gets few, large writes.
const CHUNK_OCTETS = 64 * 1024;
const DOT = Buffer.from('.');
const CRLF = Buffer.from('\r\n');
const TERMINATOR = Buffer.from('.\r\n');

/**
 * `bodyLines` undefined: the whole message (RETR). A number: the header, the
 * blank line after it and that many body lines (TOP, RFC 1939 7).
 */
export function* messageChunks(raw: Buffer, bodyLines?: number): Generator<Buffer> {
  let pieces: Buffer[] = [];
  let piecesLength = 0;
  const push = (piece: Buffer) => {
    if (piece.length === 0) return;
    pieces.push(piece);
    piecesLength += piece.length;
  };
  const take = (): Buffer => {
    const chunk = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, piecesLength);
    pieces = [];
    piecesLength = 0;
    return chunk;
  };

  let inBody = false;
  let linesLeft = bodyLines ?? Infinity;
  // Bytes from `verbatim` up to the current line are sent unchanged.
  let verbatim = 0;
  let pos = 0;
  while (pos < raw.length) {
    if (inBody && linesLeft-- <= 0) break;
    const lf = raw.indexOf(0x0a, pos);
    const end = lf === -1 ? raw.length : lf;
    if (raw[pos] === 0x2e) {
      push(raw.subarray(verbatim, pos));
      push(DOT);
      verbatim = pos;
    }
    if (!inBody && (end === pos || (end === pos + 1 && raw[pos] === 0x0d))) inBody = true;
    if (lf === -1) {
      // The last line has no line end: give it one.
      push(raw.subarray(verbatim, end));
      push(CRLF);
      verbatim = end;
    } else if (lf === 0 || raw[lf - 1] !== 0x0d) {
      // A bare LF becomes CRLF.
      push(raw.subarray(verbatim, lf));
      push(CRLF);
      verbatim = lf + 1;
    }
    pos = lf === -1 ? raw.length : lf + 1;
    if (piecesLength + (pos - verbatim) >= CHUNK_OCTETS) {
      push(raw.subarray(verbatim, pos));
      verbatim = pos;
      yield take();
    }
  }
  push(raw.subarray(verbatim, pos));
  push(TERMINATOR);
  yield take();
}

