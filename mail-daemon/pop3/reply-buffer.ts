// The replies of a session in TRANSACTION, gathered in one buffer and
// written to the socket in large writes: status lines and message bodies
// (message-stream.ts) are copied straight into it, so pipelined RETRs
// (RFC 2449 6.6) cost one system call per BUFFER_OCTETS instead of one or two
// per message, and no allocation per message. The buffer is used again once
// the kernel took all of it, which is the usual case on a fast link.
import type { Socket } from 'node:net';
import type { MessageStream } from './message-stream.ts';

/** The size of a write; a status line never comes near it. */
const BUFFER_OCTETS = 64 * 1024;
/** Room a status line of `length` characters may take in UTF-8 with its CRLF. */
const lineRoom = (length: number) => length * 3 + 2;

export class ReplyBuffer {
  private buffer = Buffer.allocUnsafe(BUFFER_OCTETS);
  private length = 0;

  get empty(): boolean {
    return this.length === 0;
  }

  /** True when a write is due: the buffer is full, or nearly. */
  get full(): boolean {
    return this.buffer.length - this.length < 512;
  }

  /** One line; CRLF is added. A long one (a LIST of every message) goes to the socket as it is. */
  line(socket: Socket, text: string): void {
    const room = lineRoom(text.length);
    if (this.buffer.length - this.length < room) this.flush(socket);
    if (room > BUFFER_OCTETS) {
      if (!socket.destroyed && socket.writable) socket.write(`${text}\r\n`);
      return;
    }
    this.length += this.buffer.write(text, this.length, 'utf8');
    this.buffer[this.length++] = 0x0d;
    this.buffer[this.length++] = 0x0a;
  }

  /** Copies as much of the message as fits; true when it is all in. Flush and call again until then. */
  message(stream: MessageStream): boolean {
    this.length = stream.fill(this.buffer, this.length);
    return stream.done;
  }

  /** Writes what is gathered. The same buffer is used again if the socket wrote it at once; if not, the socket keeps it. */
  flush(socket: Socket): void {
    if (this.length === 0) return;
    if (!socket.destroyed && socket.writable) socket.write(this.buffer.subarray(0, this.length));
    this.length = 0;
    if (socket.writableLength > 0) this.buffer = Buffer.allocUnsafe(BUFFER_OCTETS);
  }
}
