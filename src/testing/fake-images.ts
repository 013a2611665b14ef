/**
 * The fake's generated images: one grey pixel in each format the spec's `output_format` names
 * (jpeg, png, webp), built here byte by byte so that the fake ships no binary file and needs
 * nothing from `node:`. Each is a complete file an image decoder opens.
 */

const bytes = (...parts: (number[] | Uint8Array)[]): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const u32be = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const u32le = (n: number) => u32be(n).reverse();

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 255] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG chunk: length, type, data, CRC of type and data. */
function chunk(type: string, data: number[]): Uint8Array<ArrayBuffer> {
  const body = bytes(ascii(type), data);
  return bytes(u32be(data.length), body, u32be(crc32(body)));
}

/** 1×1 greyscale PNG: IHDR, one zlib stream holding one stored (uncompressed) block, IEND. */
function png(grey: number): Uint8Array<ArrayBuffer> {
  const row = [0, grey]; // filter type 0, one 8-bit sample
  let a = 1;
  let b = 0;
  for (const byte of row) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  const adler = ((b << 16) | a) >>> 0;
  const zlib = [0x78, 0x01, 1, row.length, 0, ~row.length & 255, 255, ...row, ...u32be(adler)];
  return bytes(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    chunk("IHDR", [...u32be(1), ...u32be(1), 8, 0, 0, 0, 0]),
    chunk("IDAT", zlib),
    chunk("IEND", []),
  );
}

/** A JPEG marker segment: FF, marker, 16-bit length (itself included), data. */
const segment = (marker: number, data: number[]) => [
  0xff,
  marker,
  (data.length + 2) >> 8,
  (data.length + 2) & 255,
  ...data,
];

/**
 * 1×1 baseline JPEG, one grey component: every coefficient zero (mid grey). One Huffman code
 * per table (DC: difference category 0, AC: end of block), each the single bit 0, so the
 * entropy-coded data is the bits 00, padded with ones.
 */
function jpeg(): Uint8Array<ArrayBuffer> {
  const oneCode = (tableClassAndId: number, symbol: number) => [tableClassAndId, 1, ...new Array(15).fill(0), symbol];
  return bytes(
    [0xff, 0xd8],
    segment(0xe0, [...ascii("JFIF"), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    segment(0xdb, [0, ...new Array(64).fill(1)]),
    segment(0xc0, [8, 0, 1, 0, 1, 1, 1, 0x11, 0]),
    segment(0xc4, [...oneCode(0x00, 0), ...oneCode(0x10, 0)]),
    segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    [0x3f, 0xff, 0xd9],
  );
}

/** Writes values least significant bit first, as VP8L reads them. */
function bitWriter() {
  const out: number[] = [];
  let bit = 0;
  return {
    write(value: number, count: number) {
      for (let i = 0; i < count; i++, bit++) {
        if (bit % 8 === 0) out.push(0);
        out[out.length - 1] = (out[out.length - 1] as number) | (((value >>> i) & 1) << (bit % 8));
      }
    },
    bytes: () => out,
  };
}

/**
 * 1×1 lossless WebP (VP8L): no transform, no colour cache, and five single-symbol prefix codes
 * (green, red, blue, alpha, distance), so the one pixel takes no bits at all.
 */
function webp(grey: number): Uint8Array<ArrayBuffer> {
  const bits = bitWriter();
  bits.write(0, 14); // width - 1
  bits.write(0, 14); // height - 1
  bits.write(0, 1); // no alpha used
  bits.write(0, 3); // version 0
  bits.write(0, 1); // no transform
  bits.write(0, 1); // no colour cache
  bits.write(0, 1); // no meta prefix codes
  for (const symbol of [grey, grey, grey, 255, 0]) {
    bits.write(1, 1); // simple code
    bits.write(0, 1); // one symbol
    bits.write(1, 1); // of 8 bits
    bits.write(symbol, 8);
  }
  const data = [0x2f, ...bits.bytes()];
  const padded = data.length % 2 === 0 ? data : [...data, 0];
  const vp8l = [...ascii("VP8L"), ...u32le(data.length), ...padded];
  return bytes(ascii("RIFF"), u32le(4 + vp8l.length), ascii("WEBP"), vp8l);
}

/** The image formats the fake serves, by `output_format`. */
export const SAMPLE_IMAGES: Readonly<Record<string, { contentType: string; body: Uint8Array<ArrayBuffer> }>> = {
  jpeg: { contentType: "image/jpeg", body: jpeg() },
  png: { contentType: "image/png", body: png(128) },
  webp: { contentType: "image/webp", body: webp(128) },
};
