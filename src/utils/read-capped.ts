/**
 * Reads a body whole, unless it grows past `maxBytes`: then the stream is cancelled and the read
 * rejects with `tooLarge()`, so a broken or hostile server cannot exhaust memory. The caller says
 * what that means for it (an attempt with no whole answer, a download that failed).
 */
export async function readCapped(
  body: ReadableStream<Uint8Array<ArrayBuffer>> | null,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<ArrayBuffer> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  const reader = body?.getReader();
  let size = 0;
  // Without a body (null: 204, HEAD) there is no reader and no read: the result is empty.
  for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) {
    size += read.value.byteLength;
    if (size > maxBytes) {
      reader?.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(read.value);
  }
  return new Blob(chunks).arrayBuffer();
}
