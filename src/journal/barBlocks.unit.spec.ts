import * as zlib from 'node:zlib'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { type AppendItem, type BarColumns, barPayloadAt, type Envelope } from '../domain/events/index.js'
import { unsafe } from '../domain/ids/index.js'
import { blockBodyBytes, KIND_BAR_BLOCK, MAX_BLOCK_ROWS, MIN_BLOCK_ROWS } from './barBlocks.js'
import { crc32c } from './crc32c.js'
import { copyEnvelope, INFY, orderRequested, RELIANCE } from './journal.fixtures.js'
import { FRAME_BYTES, KIND_BAR, SegmentDecoder, SegmentEncoder } from './recordCodec.js'

// Bar blocks must read back as exactly the events one record per bar reads back as: the version 2 encoder (which
// writes no blocks) is the reference every block is compared with.

const KEYS = [unsafe.instrumentKey(RELIANCE), unsafe.instrumentKey(INFY), unsafe.instrumentKey('NSE_EQ|INE467B01029')]
const T = 1_735_701_300_000

/** Every event record of an encoded batch (blocks expanded), copied, and the record kinds in order. */
const decodeBatch = (bytes: Buffer, transient: boolean) => {
  const decoder = new SegmentDecoder(transient)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const events: Envelope[] = []
  const kinds: number[] = []
  let count = -1
  for (let p = 0; p < bytes.length; ) {
    const len = view.getUint32(p, true)
    const body = p + FRAME_BYTES
    // A block's frame holds zlib's CRC-32, every other record's CRC-32C.
    const sum =
      bytes[body] === KIND_BAR_BLOCK ? zlib.crc32(bytes.subarray(body, body + len)) : crc32c(bytes, body, body + len)
    expect(view.getUint32(p + 4, true)).toBe(sum)
    kinds.push(bytes[body]!)
    const r = decoder.decode(bytes, view, body, body + len)
    if (r.kind === 'error') throw new Error(r.reason)
    if (r.kind === 'batch') count = r.count
    if (r.kind === 'event') events.push(copyEnvelope(r.event))
    if (r.kind === 'bars') {
      for (let j = 0; j < r.block.count; j++) {
        const b = decoder.blockBar(view, r.block, j)
        if (b.kind === 'error') throw new Error(b.reason)
        events.push(copyEnvelope(b.event))
      }
    }
    p = body + len
  }
  return { events, kinds, count }
}

const encodeWith = (version: number, items: AppendItem[], firstSeq: number): Buffer => {
  const r = new SegmentEncoder([], version).encodeBatch(items, firstSeq)
  if (E.isLeft(r)) throw new Error(r.left.reason)
  return Buffer.from(r.right)
}

/** Bars in columns, as the store hands them over: open interest on some, one key index per row. */
const barColumns = (rows: readonly { k: number; close: number; oi: number; volume: number }[]): BarColumns => ({
  length: rows.length,
  keys: KEYS,
  timeframe: '1m',
  keyIndex: Int32Array.from(rows.map((r) => r.k)),
  openMs: Float64Array.from(rows.map((_, i) => T + 60_000 * Math.floor(i / 2))),
  tsMs: Float64Array.from(rows.map((_, i) => T + 60_000 * Math.floor(i / 2) + 60_000)),
  openPaise: Float64Array.from(rows.map((r) => r.close + 5)),
  highPaise: Float64Array.from(rows.map((r) => r.close + 10)),
  lowPaise: Float64Array.from(rows.map((r) => r.close - 10)),
  closePaise: Float64Array.from(rows.map((r) => r.close)),
  volume: Float64Array.from(rows.map((r) => r.volume)),
  oi: Float64Array.from(rows.map((r) => r.oi)),
})

describe('bar blocks', () => {
  it('write a run of bar rows as one record that reads back as the drafts barPayloadAt builds', () => {
    // given six rows of two instruments, the fourth with open interest
    const b = barColumns(
      [0, 1, 0, 1, 0, 1].map((k, i) => ({ k, close: 130_000 + 100 * i, oi: i === 3 ? 7_500 : 0, volume: 10 * i })),
    )

    // when they are encoded as one run from seq 20, and decoded (kept and transient)
    const bytes = encodeWith(3, [{ columns: b, from: 0, to: 6 }], 20)
    const kept = decodeBatch(bytes, false)
    const transient = decodeBatch(bytes, true)

    // then the batch holds two DICT records and one block of six events, which are the drafts with seqs 20..25
    expect(kept.kinds).toEqual([1, 2, 2, KIND_BAR_BLOCK])
    expect(kept.count).toBe(6)
    // The block is the last record; its frame holds zlib's CRC-32 of its body (every other record's is CRC-32C).
    const blockLen = blockBodyBytes(6, 1)
    const body = bytes.length - blockLen
    expect(bytes.readUInt32LE(body - FRAME_BYTES)).toBe(blockLen)
    expect(bytes.readUInt32LE(body - 4)).toBe(zlib.crc32(bytes.subarray(body)))
    expect(bytes.readUInt32LE(body - 4)).not.toBe(crc32c(bytes, body, bytes.length))
    const want = [...Array(6).keys()].map((i) => ({
      type: 'BarClosed',
      ts: b.tsMs[i],
      payload: barPayloadAt(b, i),
      seq: 20 + i,
    }))
    expect(kept.events).toStrictEqual(want)
    expect(transient.events).toStrictEqual(want)
    expect((want[3]!.payload as { oi?: number }).oi).toBe(7_500)
    expect('oi' in want[2]!.payload).toBe(false)
  })

  it('leave runs shorter than MIN_BLOCK_ROWS as bar records, and cut long runs at MAX_BLOCK_ROWS', () => {
    const row = (i: number) => ({ k: i % 3, close: 100_000 + i, oi: 0, volume: i })
    const short = barColumns([...Array(MIN_BLOCK_ROWS - 1).keys()].map(row))
    const long = barColumns([...Array(MAX_BLOCK_ROWS + MIN_BLOCK_ROWS + 1).keys()].map(row))

    const a = decodeBatch(encodeWith(3, [{ columns: short, from: 0, to: short.length }], 1), false)
    const b = decodeBatch(encodeWith(3, [{ columns: long, from: 0, to: long.length }], 1), false)

    expect(a.kinds.filter((k) => k === KIND_BAR)).toHaveLength(MIN_BLOCK_ROWS - 1)
    expect(a.kinds).not.toContain(KIND_BAR_BLOCK)
    expect(b.kinds.filter((k) => k === KIND_BAR_BLOCK)).toHaveLength(2)
    expect(b.events.map((e) => e.seq)).toEqual([...Array(long.length).keys()].map((i) => i + 1))
  })

  it('are not written for a segment of version 2, which cannot hold them', () => {
    const b = barColumns([...Array(10).keys()].map((i) => ({ k: 0, close: 100_000 + i, oi: 0, volume: 1 })))
    const v2 = decodeBatch(encodeWith(2, [{ columns: b, from: 0, to: 10 }], 1), false)
    expect(v2.kinds).not.toContain(KIND_BAR_BLOCK)
    expect(v2.kinds.filter((k) => k === KIND_BAR)).toHaveLength(10)
  })

  it('refuse a bad row as bar records do: by its index in the batch, with nothing written', () => {
    // given eight rows whose seventh has a fractional volume, after one order event
    const rows = [...Array(8).keys()].map((i) => ({ k: 0, close: 100_000, oi: 0, volume: i === 6 ? 1.5 : 1 }))
    const encoder = new SegmentEncoder()

    // when they are encoded
    const r = encoder.encodeBatch([orderRequested(), { columns: barColumns(rows), from: 0, to: 8 }], 1)

    // then the refusal names event 7 and its field, and the dictionary holds nothing of the batch
    expect(r).toEqual(E.left({ index: 7, type: 'BarClosed', reason: 'volume 1.5 is not a non-negative whole number' }))
    expect(encoder.dictionarySize()).toBe(0)
  })

  it('after a refused batch, a block defines its instruments again (the refusal forgot them)', () => {
    // given an encoder whose first batch, a block of two new instruments and a bad tick, is refused
    const b = barColumns([...Array(8).keys()].map((i) => ({ k: i % 2, close: 100_000 + i, oi: 0, volume: 1 })))
    const encoder = new SegmentEncoder()
    const refused = encoder.encodeBatch(
      [
        { columns: b, from: 0, to: 8 },
        { ...orderRequested(), ts: -1 },
      ],
      1,
    )

    // when the same block is encoded again, and read by a decoder that knows only this batch
    const again = encoder.encodeBatch([{ columns: b, from: 0, to: 8 }], 1)
    const bytes = E.isRight(again) ? Buffer.from(again.right) : Buffer.alloc(0)

    // then the batch holds both DICT records before the block, and reads back
    expect(E.isLeft(refused)).toBe(true)
    const read = decodeBatch(bytes, false)
    expect(read.kinds).toEqual([1, 2, 2, KIND_BAR_BLOCK])
    expect(read.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  })

  it('a decoder of a version 2 segment refuses a block, and a block whose length disagrees with its count', () => {
    const b = barColumns([...Array(5).keys()].map((i) => ({ k: 0, close: 100_000 + i, oi: 0, volume: 1 })))
    const bytes = encodeWith(3, [{ columns: b, from: 0, to: 5 }], 1)
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    // The block is the last record: find its frame.
    let p = 0
    let last = 0
    while (p < bytes.length) {
      last = p
      p += FRAME_BYTES + view.getUint32(p, true)
    }
    const body = last + FRAME_BYTES
    const end = body + view.getUint32(last, true)

    const old = new SegmentDecoder(false, 2).decode(bytes, view, body, end)
    const short = new SegmentDecoder().decode(bytes, view, body, end - 8)

    expect(old).toMatchObject({ kind: 'error', reason: 'bar block in a version 1 or 2 segment' })
    expect(short).toMatchObject({
      kind: 'error',
      type: 'BarClosed',
      reason: expect.stringMatching(/^bar block of 5 bars is/),
    })
  })

  it('property: any runs of rows, among other events, read back as version 2 records of the same rows do', () => {
    const rowArb = fc.record({
      k: fc.integer({ min: 0, max: KEYS.length - 1 }),
      close: fc.integer({ min: 11, max: 5_000_000 }),
      // Open interest as columns may hold it: mostly none (0), sometimes some, now and then negative or NaN (none).
      oi: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: -5, max: -1 }),
        fc.constant(Number.NaN),
      ),
      volume: fc.nat(1_000_000),
    })
    fc.assert(
      fc.property(
        fc.array(rowArb, { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (rows, cutsRaw, firstSeq) => {
          // given the rows cut into runs, an order event between each two runs
          const b = barColumns(rows)
          const cuts = [...new Set(cutsRaw.map((c) => c % (rows.length + 1)))].sort((x, y) => x - y)
          const bounds = [0, ...cuts, rows.length]
          const items: AppendItem[] = []
          for (let i = 0; i + 1 < bounds.length; i++) {
            if (bounds[i] === bounds[i + 1]) continue
            if (items.length > 0) items.push(orderRequested())
            items.push({ columns: b, from: bounds[i]!, to: bounds[i + 1]! })
          }

          // when they are encoded with blocks and without
          const withBlocks = encodeWith(3, items, firstSeq)
          const without = encodeWith(2, items, firstSeq)

          // then both read back as the same events (kept and transient), counted alike; blocks never take more room
          const a = decodeBatch(withBlocks, false)
          const ref = decodeBatch(without, false)
          expect(a.events).toStrictEqual(ref.events)
          expect(decodeBatch(withBlocks, true).events).toStrictEqual(ref.events)
          expect(a.count).toBe(ref.count)
          expect(withBlocks.length).toBeLessThanOrEqual(without.length)
        },
      ),
      { numRuns: 200 },
    )
  })
})
