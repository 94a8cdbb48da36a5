import * as fs from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import { type BarColumns, barPayloadAt, type Envelope } from '../domain/events/index.js'
import { unsafe } from '../domain/ids/index.js'
import { KIND_BAR_BLOCK } from './barBlocks.js'
import { crc32c } from './crc32c.js'
import { openFileJournal, openJournalReader } from './fileJournal.js'
import {
  copyEnvelope,
  INFY,
  orderRequested,
  RELIANCE,
  range,
  readAll,
  removeDir,
  scanAll,
  seqsOf,
  tempDir,
  unwrap,
  walkFrames,
} from './journal.fixtures.js'
import { KIND_BAR } from './recordCodec.js'
import { listSegments } from './segmentFiles.js'

// Bar blocks through the file journal: reads and scans that start, end or stop inside a block, a writer reopened
// after blocks, damage inside a block, and a version 2 segment continued by this build.

const dirs: string[] = []
const freshDir = (): string => {
  const d = tempDir('blocks')
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d)
})

const T = 1_735_701_300_000
const N = 100

/** `n` one-minute bars alternating between two instruments, with open interest on every seventh. */
const columns = (n: number): BarColumns => ({
  length: n,
  keys: [unsafe.instrumentKey(RELIANCE), unsafe.instrumentKey(INFY)],
  timeframe: '1m',
  keyIndex: Int32Array.from({ length: n }, (_, i) => i % 2),
  openMs: Float64Array.from({ length: n }, (_, i) => T + 60_000 * i),
  tsMs: Float64Array.from({ length: n }, (_, i) => T + 60_000 * (i + 1)),
  openPaise: Float64Array.from({ length: n }, (_, i) => 130_000 + i),
  highPaise: Float64Array.from({ length: n }, (_, i) => 130_050 + i),
  lowPaise: Float64Array.from({ length: n }, (_, i) => 129_950 + i),
  closePaise: Float64Array.from({ length: n }, (_, i) => 130_010 + i),
  volume: Float64Array.from({ length: n }, (_, i) => 100 * i),
  oi: Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 5_000 + i : 0)),
})

/** What row `i` of `b` reads back as, numbered `seq`. */
const barEvent = (b: BarColumns, i: number, seq: number): Envelope =>
  ({ type: 'BarClosed', ts: b.tsMs[i], payload: barPayloadAt(b, i), seq }) as Envelope

/** A journal of one order event (seq 1), then the 100 bars as one run (seqs 2..101), then another order event. */
const writeBlocks = async (dir: string): Promise<BarColumns> => {
  const b = columns(N)
  const j = unwrap(openFileJournal(dir))
  unwrap(await j.append([orderRequested(), { columns: b, from: 0, to: N }, orderRequested()]))
  await j.close()
  return b
}

describe('bar blocks in the file journal', () => {
  it('hold a run of bars in one record, and every read range starting or ending inside it gets exactly its seqs', async () => {
    const dir = freshDir()
    const b = await writeBlocks(dir)
    const frames = walkFrames(listSegments(dir)[0]!.path)
    expect(frames.filter((f) => f.kind === KIND_BAR_BLOCK)).toHaveLength(1)
    expect(frames.filter((f) => f.kind === KIND_BAR)).toHaveLength(0)

    const reader = unwrap(openJournalReader(dir))
    expect(reader.lastSeq()).toBe(102)
    for (const [from, to] of [
      [1, 102],
      [2, 101],
      [30, 60],
      [101, 102],
      [102, 102],
      [1, 1],
      [55, 55],
    ] as const) {
      const read = await readAll(reader, { from, to })
      const scanned = await scanAll(reader, { from, to })
      expect(read.error).toBeUndefined()
      expect(seqsOf(read.events)).toEqual(range(from, to))
      expect(scanned.events).toStrictEqual(read.events.map(copyEnvelope))
      for (const e of read.events) if (e.type === 'BarClosed') expect(e).toStrictEqual(barEvent(b, e.seq - 2, e.seq))
    }
    await reader.close()
  })

  it('a scan may stop in the middle of a block, and a reopened writer goes on after the last bar', async () => {
    const dir = freshDir()
    const b = await writeBlocks(dir)

    // when a scan stops at seq 40, and a writer reopens and appends
    const reader = unwrap(openJournalReader(dir))
    const seen: number[] = []
    const stopped = await reader.scan({ from: 1 }, (e) => {
      seen.push(e.seq)
      return e.seq < 40
    })
    await reader.close()
    const j = unwrap(openFileJournal(dir))
    const ack = unwrap(await j.append([{ columns: b, from: 10, to: 20 }]))
    await j.close()

    // then the scan saw seqs 1..40; the append got 103..112, and the journal reads back whole
    expect(E.isRight(stopped) && stopped.right.count).toBe(40)
    expect(seen).toEqual(range(1, 40))
    expect(ack).toMatchObject({ firstSeq: 103, lastSeq: 112 })
    const again = unwrap(openJournalReader(dir))
    const all = await readAll(again)
    expect(seqsOf(all.events)).toEqual(range(1, 112))
    expect(all.events[102]).toStrictEqual(barEvent(b, 10, 103))
    await again.close()
  })

  it('a damaged byte inside a block fails the block checksum, naming its first seq', async () => {
    const dir = freshDir()
    await writeBlocks(dir)
    const file = listSegments(dir)[0]!.path
    const block = walkFrames(file).find((f) => f.kind === KIND_BAR_BLOCK)!
    const bytes = fs.readFileSync(file)
    bytes[block.offset + 8 + block.bodyLen - 20]! ^= 0xff
    fs.writeFileSync(file, bytes)

    // when the journal is opened (which passes over blocks it does not read, as over any record) and read
    const reader = unwrap(openJournalReader(dir))
    const read = await readAll(reader)
    await reader.close()

    // then the read fails at the block's frame, naming the block's first seq (the batch holding it is not delivered)
    expect(seqsOf(read.events)).toEqual([])
    expect(read.error).toMatchObject({
      _tag: 'JournalCorrupt',
      seq: 2,
      offset: block.offset,
      reason: 'record seq 2 fails its checksum',
    })
  })

  it('a version 2 segment continued by this build gets bar records, not blocks, and reads back whole', async () => {
    // given a journal of one order event whose segment says format version 2
    const dir = freshDir()
    const first = unwrap(openFileJournal(dir))
    unwrap(await first.append([orderRequested()]))
    await first.close()
    const file = listSegments(dir)[0]!.path
    const bytes = fs.readFileSync(file)
    bytes.writeUInt32LE(2, 8)
    bytes.writeUInt32LE(crc32c(bytes, 0, 24), 24)
    fs.writeFileSync(file, bytes)

    // when this build reopens it and appends a run of 12 bars
    const b = columns(12)
    const j = unwrap(openFileJournal(dir))
    unwrap(await j.append([{ columns: b, from: 0, to: 12 }]))
    await j.close()

    // then the segment holds 12 bar records and no block, and reads back as the bars
    const frames = walkFrames(file)
    expect(frames.filter((f) => f.kind === KIND_BAR_BLOCK)).toHaveLength(0)
    expect(frames.filter((f) => f.kind === KIND_BAR)).toHaveLength(12)
    const reader = unwrap(openJournalReader(dir))
    const read = await readAll(reader)
    await reader.close()
    expect(read.events.slice(1)).toStrictEqual(range(0, 11).map((i) => barEvent(b, i, i + 2)))
  })
})
