/**
 * Reads a body whole, unless it grows past `maxBytes`: then the stream is cancelled and the read
 * rejects with `tooLarge()`, so a broken or hostile server cannot exhaust memory. The caller says
 * what that means for it (an attempt with no whole answer, a download that failed).
 *
 * The body is read by `for await`, which every runtime this package supports (Node 20, Deno,
 * Bun, workers) offers on a ReadableStream; leaving the loop early cancels the stream.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array<ArrayBuffer>> | null,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<ArrayBuffer> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  // No body (null: a 204, a HEAD) reads as empty.
  for await (const chunk of body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return new Blob(chunks).arrayBuffer();
}
