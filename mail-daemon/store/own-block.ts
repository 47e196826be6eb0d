// Bytes handed between threads. A Buffer is often a view on a larger block
// (the socket's chunks, Node's pool), and posting a view copies its whole
// block: the bytes are copied once into a block of their own, which is then
// moved (postMessage's transfer list), not copied (measured: postMessage was
// 12% of the main thread's time on one SMTP session, issue 12).

/** A copy of the bytes in a block of their own, to be moved to a thread. */
export function ownBlock(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/** A Buffer on bytes moved here from another thread (no copy). */
export function bytesOf(moved: Uint8Array): Buffer {
  return Buffer.from(moved.buffer, moved.byteOffset, moved.byteLength);
}
