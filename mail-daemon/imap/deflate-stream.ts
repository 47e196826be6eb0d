// COMPRESS=DEFLATE (RFC 4978): after the tagged OK both directions of the
// connection (plain or TLS) are raw deflate streams (RFC 1951). Each batch of
// responses ends with a sync flush (RFC 4978 4), so the client can read all
// it was sent without waiting for more.
//
// Inflated input goes to the session only as fast as it takes it: the
// session pauses and resumes `input`, and zlib stops inflating while its
// output is not read (and the socket stops being read while zlib's input is
// full). So a few bytes that inflate to gigabytes (a deflate bomb) meet the
// same line, literal and buffering limits as plain input, counted in
// inflated bytes, and never sit in memory beyond them.
import type { Socket } from 'node:net';
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';

export class DeflateStream {
  /** Inflated input, read through `data` events. */
  readonly input: InflateRaw;
  /** Takes the plain responses; writableNeedDrain tells the session to wait. */
  readonly output: DeflateRaw;

  constructor(
    private readonly socket: Socket,
    events: { data(chunk: Buffer): void; error(error: Error): void },
  ) {
    this.input = createInflateRaw();
    this.output = createDeflateRaw();
    this.output.pipe(socket);
    socket.pipe(this.input);
    this.input.on('data', events.data);
    this.input.on('error', events.error);
    this.output.on('error', events.error);
  }

  /** One batch of responses, flushed so the client can inflate it whole. */
  write(data: Buffer): void {
    this.output.write(data);
    this.output.flush(constants.Z_SYNC_FLUSH);
  }

  /** Ends the deflate stream; the socket ends once it has the last bytes. */
  end(): void {
    this.output.end();
  }

  /** Frees zlib's memory at once (the connection is gone). */
  destroy(): void {
    this.socket.unpipe(this.input);
    this.input.destroy();
    this.output.destroy();
  }
}
