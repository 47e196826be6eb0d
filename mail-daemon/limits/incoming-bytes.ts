// The bytes of one incoming message (SMTP DATA) or command (IMAP, with its
// literals), gathered so that a big one is held once, not two or three times:
// - while small, as the chunks that arrived, joined at the end;
// - past BLOCK_AFTER, in one block reserved for the most it may reach. The
//   pages of the block that are never written are never resident (a big
//   allocation is its own mapping), so the reservation costs address space,
//   not memory; the message is then a view of the block, never copied again;
// - with room in front of it (headroom), where header fields added on the way
//   (trace fields, RFC 5321 4.4; a filter's verdict) go without a copy of the
//   message: prependInPlace().

/** Until here chunks are joined at the end; past it they go into the block. */
export const BLOCK_AFTER = 1024 * 1024;

/** Views with free room in front of them, and how much: each room is handed on once (see prependInPlace). */
const roomInFront = new WeakMap<Buffer, number>();

export class IncomingBytes {
  private chunks: Buffer[] = [];
  private block: Buffer | null = null;
  private size = 0;

  /**
   * @param limit the most bytes it may reach: the size of the block
   * @param headroom bytes kept free in front of a block, for prependInPlace()
   */
  constructor(
    public limit: number,
    private readonly headroom = 0,
  ) {}

  get length(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const size = this.size + chunk.length;
    if (this.block ? size > this.block.length - this.headroom : size > BLOCK_AFTER) {
      // The block; or, past the limit (which the caller should not pass), a bigger one: a copy rather than a lost message or a throw.
      const block = Buffer.allocUnsafe(this.headroom + Math.max(this.limit, size));
      if (this.block) this.block.copy(block, this.headroom, this.headroom, this.headroom + this.size);
      else for (let at = this.headroom, i = 0; i < this.chunks.length; i++) at += this.chunks[i].copy(block, at);
      this.block = block;
      this.chunks = [];
    }
    if (this.block) chunk.copy(this.block, this.headroom + this.size);
    else this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** Everything pushed, as one buffer; a view of the block when there is one, with its headroom free for prependInPlace(). */
  bytes(): Buffer {
    if (!this.block) return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    const view = this.block.subarray(this.headroom, this.headroom + this.size);
    if (this.headroom > 0) roomInFront.set(view, this.headroom);
    return view;
  }
}

/**
 * `head` then `bytes`, written into the free room in front of `bytes` when it
 * has enough (a view from IncomingBytes.bytes(), or from an earlier call);
 * null when it has not. The room passes to the returned view: a second call
 * with the same `bytes` finds none, so nothing ever writes over bytes that
 * another view shows.
 */
export function prependInPlace(bytes: Buffer, head: Buffer): Buffer | null {
  const room = roomInFront.get(bytes);
  if (room === undefined || head.length > room) return null;
  roomInFront.delete(bytes);
  const start = bytes.byteOffset - head.length;
  const joined = Buffer.from(bytes.buffer, start, head.length + bytes.length);
  head.copy(joined, 0);
  if (room > head.length) roomInFront.set(joined, room - head.length);
  return joined;
}
