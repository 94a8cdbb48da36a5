import * as zlib from 'node:zlib'
import type { BarColumns } from '../domain/events/index.js'

// Bar blocks (format version 3): a run of quiet bars (`BarRows`, the rows of a backtest's store chunk that caused
// no decision) as one record, column by column, instead of one record per bar:
//
//   u8 kind (14) | f64 first seq | u32 count | u8 timeframe code | u8 flags (1: an oi column follows)
//   | u16 key id x count | f64 ts x count | f64 openMs x count | f64 open, high, low, close x count each
//   | f64 volume x count | [f64 oi x count, 0 where a bar has none]
//
// The bars hold seqs `first seq .. first seq + count - 1`, in order, with no causation or correlation (a bar from
// the store has neither) and no `afterGap` (the store's rows never set it). A block reads back as the same events
// as one record per bar would; what changes is the cost. Writing a bar record took ~270 ns (its header, seven
// DataView writes, its own checksum); a block checks each value as a bar record would, then writes each column in
// one pass (one copy of its bytes from 64 rows on) and checksums the whole block once. It is also ~29 bytes a bar
// smaller (the benchmark's bars: 22.7 -> 15.1 MB).
//
// A block's frame checksum is CRC-32 (zlib's polynomial, `zlib.crc32`), not the CRC-32C of every other record: over
// a long block the native call runs at ~0.45 ns a byte against ~1.9 for the JS CRC-32C, which was half of writing a
// block (and as much again of reading one), and from ~300 bytes (a 5-row block) it is no slower counting the call.
// Records of a few dozen bytes stay CRC-32C, where a native call costs more than the JS loop (crc32c.ts).
//
// Copying columns byte for byte writes the host's float layout: blocks are written only on little-endian hosts
// (every platform Node runs on today), which is the journal's byte order; elsewhere the rows go as bar records.

export const KIND_BAR_BLOCK = 14
export const BLOCK_HEADER = 1 + 8 + 4 + 1 + 1
const FLAG_OI = 1

/** Shorter runs go as bar records: a block's header and checksum pay for themselves from a few rows on. */
export const MIN_BLOCK_ROWS = 4
/** Bounds one record (~530 KB), so a reader never needs a huge buffer for one record. */
export const MAX_BLOCK_ROWS = 8192

/** The checksum of a block's body `[body, end)` of `buf`, as its frame holds it. */
export const blockChecksum = (buf: Buffer, body: number, end: number): number => zlib.crc32(buf.subarray(body, end))

export const hostIsLittleEndian = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f

const isSafeNonNeg = (n: number) => Number.isSafeInteger(n) && n >= 0
const isSafePos = (n: number) => Number.isSafeInteger(n) && n > 0

/**
 * Whether rows `[from, to)` hold only values a bar record accepts (whole positive paise, whole non-negative times and
 * volumes): -1 if one does not (the caller then encodes row by row, which words the refusal), else 1 when some row
 * has open interest (an oi column is needed) and 0 when none has.
 */
export const blockRowsCheck = (b: BarColumns, from: number, to: number): -1 | 0 | 1 => {
  let oi: 0 | 1 = 0
  const { tsMs, openMs, openPaise, highPaise, lowPaise, closePaise, volume } = b
  for (let i = from; i < to; i++) {
    if (
      !(
        isSafeNonNeg(tsMs[i]!) &&
        isSafeNonNeg(openMs[i]!) &&
        isSafePos(openPaise[i]!) &&
        isSafePos(highPaise[i]!) &&
        isSafePos(lowPaise[i]!) &&
        isSafePos(closePaise[i]!) &&
        isSafeNonNeg(volume[i]!)
      )
    )
      return -1
    const o = b.oi[i]!
    // As a bar row: open interest of 0 (or less) is no open interest; a positive one must be whole.
    if (o > 0) {
      if (!Number.isSafeInteger(o)) return -1
      oi = 1
    }
  }
  return oi
}

/** Bytes of a block's body of `n` rows. */
export const blockBodyBytes = (n: number, oi: 0 | 1): number => BLOCK_HEADER + 2 * n + 8 * n * (oi === 1 ? 8 : 7)

/**
 * Up to this many values a column is written value by value: most blocks of a backtest are short (a median of 5
 * rows on the real 5-stock run, between bars that cause decisions), and a typed-array view plus `set` per column cost
 * more there than the loop.
 */
const COPY_FROM = 64

const writeColumn = (buf: Buffer, v: DataView, at: number, col: Float64Array, from: number, n: number): number => {
  if (n < COPY_FROM) for (let i = 0; i < n; i++) v.setFloat64(at + 8 * i, col[from + i]!, true)
  else buf.set(new Uint8Array(col.buffer, col.byteOffset + 8 * from, 8 * n), at)
  return at + 8 * n
}

/**
 * Writes the block's body at `body` of `buf`/`v` (room ensured by the caller, `ids[k]` the dictionary id of
 * `b.keys[k]` for every key the rows use); returns where it ends.
 */
export const writeBarBlock = (
  buf: Buffer,
  v: DataView,
  body: number,
  b: BarColumns,
  from: number,
  to: number,
  firstSeq: number,
  timeframeCode: number,
  oi: 0 | 1,
  ids: Int32Array,
): number => {
  const n = to - from
  v.setUint8(body, KIND_BAR_BLOCK)
  v.setFloat64(body + 1, firstSeq, true)
  v.setUint32(body + 9, n, true)
  v.setUint8(body + 13, timeframeCode)
  v.setUint8(body + 14, oi === 1 ? FLAG_OI : 0)
  let at = body + BLOCK_HEADER
  const keyIndex = b.keyIndex
  for (let i = 0; i < n; i++) v.setUint16(at + 2 * i, ids[keyIndex[from + i]!]!, true)
  at += 2 * n
  at = writeColumn(buf, v, at, b.tsMs, from, n)
  at = writeColumn(buf, v, at, b.openMs, from, n)
  at = writeColumn(buf, v, at, b.openPaise, from, n)
  at = writeColumn(buf, v, at, b.highPaise, from, n)
  at = writeColumn(buf, v, at, b.lowPaise, from, n)
  at = writeColumn(buf, v, at, b.closePaise, from, n)
  at = writeColumn(buf, v, at, b.volume, from, n)
  if (oi === 1) {
    for (let i = 0; i < n; i++) {
      const o = b.oi[from + i]!
      // biome-ignore lint/complexity/useMathMinMax: a NaN must become 0 (no open interest), which Math.max would keep
      v.setFloat64(at + 8 * i, o > 0 ? o : 0, true)
    }
    at += 8 * n
  }
  return at
}

/** A block's header, read and checked against its record's length; a string says what is wrong. */
export interface BlockHeader {
  readonly firstSeq: number
  readonly count: number
  readonly timeframeCode: number
  readonly hasOi: boolean
  /** Offset of the key ids; column `c` (0 ts, 1 openMs, 2-5 OHLC, 6 volume, 7 oi) starts at `cols + 8 * count * c`. */
  readonly keys: number
  readonly cols: number
}

export const readBlockHeader = (v: DataView, body: number, end: number): BlockHeader | string => {
  if (end - body < BLOCK_HEADER) return 'bar block shorter than its header'
  const firstSeq = v.getFloat64(body + 1, true)
  const count = v.getUint32(body + 9, true)
  const flags = v.getUint8(body + 14)
  if (!isSafePos(firstSeq)) return `bar block first seq ${firstSeq} is not a positive whole number`
  if (count === 0) return 'bar block of no bars'
  if ((flags & ~FLAG_OI) !== 0) return `bar block flags ${flags} are unknown`
  const hasOi = (flags & FLAG_OI) !== 0
  if (end - body !== blockBodyBytes(count, hasOi ? 1 : 0))
    return `bar block of ${count} bars is ${end - body} bytes, expected ${blockBodyBytes(count, hasOi ? 1 : 0)}`
  const keys = body + BLOCK_HEADER
  return { firstSeq, count, timeframeCode: v.getUint8(body + 13), hasOi, keys, cols: keys + 2 * count }
}
