// CRC-32C (Castagnoli), slicing-by-8, in plain JS. Measured faster than calling zlib.crc32 per record: the
// native call plus the subarray it needs cost ~300 ns for a 56-byte record on this machine, this loop ~40 ns.

const POLY = 0x82f63b78
const TABLE = new Int32Array(8 * 256)
for (let n = 0; n < 256; n++) {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1
  TABLE[n] = c
}
for (let n = 0; n < 256; n++) {
  let c = TABLE[n]!
  for (let k = 1; k < 8; k++) {
    c = TABLE[c & 0xff]! ^ (c >>> 8)
    TABLE[k * 256 + n] = c
  }
}

/** CRC-32C of `buf[start, end)`, as an unsigned 32-bit integer. */
export const crc32c = (buf: Uint8Array, start: number, end: number): number => {
  let crc = -1
  let i = start
  const t = TABLE
  while (end - i >= 8) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24))
    crc =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + buf[i + 4]!]! ^
      t[512 + buf[i + 5]!]! ^
      t[256 + buf[i + 6]!]! ^
      t[buf[i + 7]!]!
    i += 8
  }
  while (i < end) crc = t[(crc ^ buf[i++]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ -1) >>> 0
}
