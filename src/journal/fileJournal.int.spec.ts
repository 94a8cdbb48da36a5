import * as fs from 'node:fs'
import * as path from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import { Envelope, type EventDraft } from '../domain/events/index.js'
import { crc32c } from './crc32c.js'
import { openFileJournal, openJournalReader } from './fileJournal.js'
import {
  BANKNIFTY_FUT,
  bar,
  draftsFor,
  envelopesOf,
  HDFCBANK,
  INFY,
  NIFTY,
  orderFilled,
  orderRequested,
  patchFile,
  RELIANCE,
  range,
  readAll,
  recordingLog,
  removeDir,
  runStarted,
  scanAll,
  seqsOf,
  sleep,
  strategyConfigured,
  T0,
  tempDir,
  tick,
  unwrap,
  walkFrames,
} from './journal.fixtures.js'
import type { Journal } from './journal.js'
import { describeJournalError, type JournalError } from './journalErrors.js'
import { KIND_FLAT, KIND_JSON, KIND_LAYOUT } from './recordCodec.js'
import { HEADER_BYTES, listSegments } from './segmentFiles.js'

const dirs: string[] = []
const open: Journal[] = []
const freshDir = (): string => {
  const d = tempDir('fj')
  dirs.push(d)
  return d
}
const openJournal = (dir: string, opts: Parameters<typeof openFileJournal>[1] = {}): Journal => {
  const j = unwrap(openFileJournal(dir, opts))
  open.push(j)
  return j
}

afterEach(async () => {
  for (const j of open.splice(0)) await j.close()
  for (const d of dirs.splice(0)) removeDir(d)
})

const cyclic = (): Record<string, unknown> => {
  const o: Record<string, unknown> = { fast: 10 }
  o.self = o
  return o
}

/** Four batches covering every shape the encoder knows. */
const signalWithMetadata = (metadata: Record<string, unknown>, reason = 'fast crossed slow'): EventDraft =>
  ({
    type: 'SignalEmitted',
    ts: T0,
    payload: { strategyId: 'sma-cross.1', instrumentKey: RELIANCE, intent: 'LONG', confidence: 1, reason, metadata },
  }) as EventDraft

const mixedBatches = (): EventDraft[][] => [
  [
    tick(),
    tick({ instrumentKey: HDFCBANK, ltpPaise: 1, ltq: 0, lttMs: 0, ts: 0 }),
    tick({ volume: 0, oi: 12, bidPaise: -5, askPaise: 245_020, bidQty: 0, askQty: 9 }),
    tick({ instrumentKey: NIFTY, volume: 9_007_199_254_740_991 }),
    tick({ instrumentKey: INFY, askQty: 3, correlationId: 'feed-₹-1' }),
  ],
  [
    bar(),
    bar({ instrumentKey: NIFTY, timeframe: '1d', oi: 0 }),
    bar({ instrumentKey: INFY, timeframe: '15m', afterGap: true }),
    bar({ timeframe: '1h', oi: 77, afterGap: true, causationId: 2, correlationId: '' }),
  ],
  [
    runStarted(),
    orderRequested({ orderId: 'ord-7', causationId: 9, limitPricePaise: 245_100 }),
    orderFilled({ orderId: 'ord-7', causationId: 11 }),
    orderRequested({ orderId: 'ord-8', side: 'SELL', correlationId: undefined }),
  ],
  [tick({ instrumentKey: BANKNIFTY_FUT, ts: T0 + 1, causationId: 1 }), runStarted({ runId: 'r2', seed: -0.5 }), bar()],
]

describe('file journal: round trip', () => {
  it('reads back every kind of event exactly as appended, numbered gap-free from 1', async () => {
    // given a new journal and batches of ticks, bars and JSON events with and without their optional fields
    const journal = openJournal(freshDir())
    const batches = mixedBatches()

    // when each batch is appended
    const acks = []
    for (const b of batches) acks.push(unwrap(await journal.append(b)))

    // then each batch gets the next seqs, and reading back gives the drafts with their seqs, nothing more
    const sizes = batches.map((b) => b.length)
    expect(acks).toEqual([
      { firstSeq: 1, lastSeq: sizes[0] },
      { firstSeq: sizes[0]! + 1, lastSeq: sizes[0]! + sizes[1]! },
      { firstSeq: sizes[0]! + sizes[1]! + 1, lastSeq: sizes[0]! + sizes[1]! + sizes[2]! },
      { firstSeq: sizes[0]! + sizes[1]! + sizes[2]! + 1, lastSeq: batches.flat().length },
    ])
    expect(journal.lastSeq()).toBe(batches.flat().length)
    const back = await readAll(journal)
    expect(back.error).toBeUndefined()
    expect(back.events).toStrictEqual(envelopesOf(batches.flat(), 1))
    expect(back.events.every((e) => Envelope.is(e))).toBe(true)
  })

  it('scan visits the same events as read (copied, since scan reuses tick and bar objects)', async () => {
    // given a journal holding mixed batches
    const journal = openJournal(freshDir())
    for (const b of mixedBatches()) unwrap(await journal.append(b))

    // when it is scanned in full and in a range
    const whole = await scanAll(journal, {})
    const part = await scanAll(journal, { from: 4, to: 11 })

    // then scan saw what read sees, and reports the count and last seq visited
    const read = await readAll(journal)
    expect(whole.events).toStrictEqual(read.events)
    expect(whole.result).toEqual(E.right({ count: read.events.length, lastSeq: read.events.length }))
    expect(part.events).toStrictEqual(read.events.slice(3, 11))
    expect(part.result).toEqual(E.right({ count: 8, lastSeq: 11 }))
  })

  it('scan stops after the event for which the visitor returns false, with no error', async () => {
    // given a journal holding mixed batches
    const journal = openJournal(freshDir())
    for (const b of mixedBatches()) unwrap(await journal.append(b))
    const total = journal.lastSeq()

    // when a visitor stops at seq 7 (inside a batch)
    const seen: number[] = []
    const result = await journal.scan({ from: 2 }, (e) => {
      seen.push(e.seq)
      return e.seq < 7
    })

    // then it saw 2..7 only, and the result says where it stopped
    expect(total).toBeGreaterThan(7)
    expect(seen).toEqual(range(2, 7))
    expect(result).toEqual(E.right({ count: 6, lastSeq: 7 }))
  })

  it('reads any range, including ranges that straddle batches and segments', async () => {
    // given a journal with tiny segments and batches of varied size
    const dir = freshDir()
    const journal = openJournal(dir, { segmentBytes: 4096 })
    const sizes = [1, 7, 40, 3, 90, 1, 1, 25, 60, 12]
    let seq = 1
    const acks = []
    for (const n of sizes) {
      acks.push(unwrap(await journal.append(draftsFor(seq, n))))
      seq += n
    }
    const last = seq - 1
    const all = envelopesOf(draftsFor(1, last), 1)
    const segmentStarts = listSegments(dir).map((s) => s.firstSeq)
    expect(segmentStarts.length).toBeGreaterThan(2)

    // when reading ranges whose ends fall on, just before and just after batch and segment boundaries
    const edges = new Set<number>([1, last])
    for (const b of [...acks.map((a) => a.firstSeq), ...acks.map((a) => a.lastSeq), ...segmentStarts]) {
      for (const x of [b - 1, b, b + 1]) if (x >= 1 && x <= last) edges.add(x)
    }
    const points = [...edges].sort((a, b) => a - b)
    const mismatches: string[] = []
    for (const from of points) {
      for (const to of points) {
        if (to < from) continue
        const r = await readAll(journal, { from, to })
        const want = all.slice(from - 1, to)
        if (r.error !== undefined || !isDeepStrictEqual(r.events, want)) {
          mismatches.push(`${from}..${to}: got ${seqsOf(r.events).join(',')} ${r.error?._tag ?? ''}`)
        }
      }
    }

    // then each read gives exactly the events of its range, in order
    expect(mismatches).toEqual([])
    // and open-ended or out-of-range reads are clipped to what is there
    expect(seqsOf((await readAll(journal, { from: last - 2 })).events)).toEqual([last - 2, last - 1, last])
    expect((await readAll(journal, { to: 3 })).events).toStrictEqual(all.slice(0, 3))
    expect((await readAll(journal, { from: 5, to: last + 100 })).events).toStrictEqual(all.slice(4))
    expect((await readAll(journal, { from: last + 1 })).events).toEqual([])
    expect((await readAll(journal, { from: 9, to: 8 })).events).toEqual([])
  })

  it('rolls to new segment files past segmentBytes and reads across them', async () => {
    // given a journal with 4 KiB segments
    const dir = freshDir()
    const journal = openJournal(dir, { segmentBytes: 4096 })

    // when 30 batches of 13 events are appended
    const acks = []
    for (let b = 0; b < 30; b++) acks.push(unwrap(await journal.append(draftsFor(b * 13 + 1, 13))))

    // then there are several segments, each named after the first seq of a batch, each but the last at least 4 KiB
    const segments = listSegments(dir)
    expect(segments.length).toBeGreaterThanOrEqual(5)
    expect(segments[0]!.firstSeq).toBe(1)
    const batchStarts = new Set(acks.map((a) => a.firstSeq))
    for (const s of segments) {
      expect(batchStarts.has(s.firstSeq)).toBe(true)
      expect(path.basename(s.path)).toBe(`seg-${String(s.firstSeq).padStart(20, '0')}.bahij`)
    }
    for (const s of segments.slice(0, -1)) expect(fs.statSync(s.path).size).toBeGreaterThanOrEqual(4096)
    // and everything reads back, through the writer and through a separate reader, by read and by scan
    const want = envelopesOf(draftsFor(1, 390), 1)
    expect((await readAll(journal)).events).toStrictEqual(want)
    const reader = unwrap(openJournalReader(dir))
    expect(reader.lastSeq()).toBe(390)
    expect((await readAll(reader)).events).toStrictEqual(want)
    expect((await scanAll(reader)).events).toStrictEqual(want)
    await reader.close()
  })

  it('group-commits concurrent appends in call order, also across a segment roll', async () => {
    // given a journal with small segments
    const dir = freshDir()
    const journal = openJournal(dir, { segmentBytes: 2048 })

    // when 40 appends are made without waiting for each other
    const sizes = range(1, 40).map((i) => 1 + ((i * 7) % 11))
    const firsts = sizes.map((_, i) => 1 + sizes.slice(0, i).reduce((a, b) => a + b, 0))
    const acks = await Promise.all(sizes.map((n, i) => journal.append(draftsFor(firsts[i]!, n))))

    // then each got the seqs of its place in the call order, and all of it reads back
    expect(acks).toEqual(sizes.map((n, i) => E.right({ firstSeq: firsts[i], lastSeq: firsts[i]! + n - 1 })))
    const total = sizes.reduce((a, b) => a + b, 0)
    expect((await readAll(journal)).events).toStrictEqual(envelopesOf(draftsFor(1, total), 1))
    expect(listSegments(dir).length).toBeGreaterThan(1)
  })

  it('continues the seqs (and the segment dictionary) after a reopen', async () => {
    // given a journal with ticks for two instruments, closed
    const dir = freshDir()
    const first = unwrap(openFileJournal(dir))
    unwrap(await first.append([tick({ instrumentKey: RELIANCE }), tick({ instrumentKey: HDFCBANK }), bar()]))
    await first.close()

    // when it is reopened and more ticks are appended, for known and new instruments
    const log = recordingLog()
    const journal = openJournal(dir, { log: log.log })
    expect(journal.lastSeq()).toBe(3)
    const more = [tick({ instrumentKey: HDFCBANK, ltpPaise: 5 }), tick({ instrumentKey: INFY }), tick({ ltpPaise: 7 })]
    const ack = await journal.append(more)

    // then the seqs go on from 3, all six events read back, and the clean reopen warned about nothing
    expect(ack).toEqual(E.right({ firstSeq: 4, lastSeq: 6 }))
    const want = envelopesOf([tick({ instrumentKey: RELIANCE }), tick({ instrumentKey: HDFCBANK }), bar(), ...more], 1)
    expect((await readAll(journal)).events).toStrictEqual(want)
    expect(log.warnings()).toEqual([])
    expect(listSegments(dir)).toHaveLength(1)
  })

  it('continues a version 1 segment with JSON records, and a version 2 one with its layouts written again', async () => {
    // given two journals holding a tick and an order event, closed; the first's segment marked format version 1
    // (what an older build wrote: its order events were JSON), the second left at version 2
    const v1 = freshDir()
    const v2 = freshDir()
    for (const dir of [v1, v2]) {
      const j = unwrap(openFileJournal(dir))
      unwrap(await j.append([tick()]))
      await j.close()
    }
    const segment = listSegments(v1)[0]!.path
    const h = fs.readFileSync(segment).subarray(0, HEADER_BYTES)
    h.writeUInt32LE(1, 8)
    h.writeUInt32LE(crc32c(h, 0, 24), 24)
    patchFile(segment, 0, h)

    // when each is reopened and given order events, twice (closing in between)
    const more = [orderRequested({ orderId: 'ord-a' }), orderFilled({ orderId: 'ord-a' })]
    for (const dir of [v1, v2]) {
      for (const d of more) {
        const j = unwrap(openFileJournal(dir))
        unwrap(await j.append([d]))
        await j.close()
      }
    }

    // then the version 1 segment got JSON records and no layouts; the version 2 one flat records, each after a
    // layout written by the process that appended it; both read back in full
    const kinds = (dir: string) => walkFrames(listSegments(dir)[0]!.path).map((f) => f.kind)
    expect(kinds(v1).filter((k) => k === KIND_LAYOUT || k === KIND_FLAT)).toEqual([])
    expect(kinds(v1).filter((k) => k === KIND_JSON)).toHaveLength(2)
    expect(kinds(v2).filter((k) => k === KIND_LAYOUT || k === KIND_FLAT)).toEqual([
      KIND_LAYOUT,
      KIND_FLAT,
      KIND_LAYOUT,
      KIND_FLAT,
    ])
    for (const dir of [v1, v2]) {
      const reader = unwrap(openJournalReader(dir))
      expect((await readAll(reader)).events).toStrictEqual(envelopesOf([tick(), ...more], 1))
      await reader.close()
    }
  })

  it('reads, scans and recovers a batch larger than the 4 MiB read buffer', async () => {
    // given a journal holding a small batch, one batch of 60,000 events (~5 MiB) and another small batch
    const dir = freshDir()
    const first = unwrap(openFileJournal(dir))
    unwrap(await first.append(draftsFor(1, 3)))
    unwrap(await first.append(draftsFor(4, 60_000)))
    unwrap(await first.append(draftsFor(60_004, 3)))
    await first.close()
    expect(fs.statSync(listSegments(dir)[0]!.path).size).toBeGreaterThan(4 << 20)

    // when it is reopened and read in full, in part, and scanned
    const log = recordingLog()
    const journal = openJournal(dir, { log: log.log })
    const all = await readAll(journal)
    const part = await readAll(journal, { from: 59_990, to: 60_005 })
    const scanned = await journal.scan({}, () => {})

    // then every event is there, exactly once and in order, and the reopen found nothing to repair
    expect(journal.lastSeq()).toBe(60_006)
    expect(all.error).toBeUndefined()
    expect(seqsOf(all.events)).toEqual(range(1, 60_006))
    expect(all.events.slice(59_995)).toStrictEqual(envelopesOf(draftsFor(59_996, 11), 59_996))
    expect(part.events).toStrictEqual(envelopesOf(draftsFor(59_990, 16), 59_990))
    expect(scanned).toEqual(E.right({ count: 60_006, lastSeq: 60_006 }))
    expect(log.warnings()).toEqual([])
  })

  it('answers an empty append with an empty range and writes nothing', async () => {
    // given a journal with two events
    const dir = freshDir()
    const journal = openJournal(dir)
    unwrap(await journal.append(draftsFor(1, 2)))
    const size = fs.statSync(listSegments(dir)[0]!.path).size

    // when an empty batch is appended
    const ack = await journal.append([])

    // then the ack is the empty range after seq 2 and the file did not grow
    expect(ack).toEqual(E.right({ firstSeq: 3, lastSeq: 2 }))
    expect(fs.statSync(listSegments(dir)[0]!.path).size).toBe(size)
    expect(journal.lastSeq()).toBe(2)
  })
})

describe('file journal: refusals', () => {
  it('refuses an append whose expectedLastSeq is not the last seq, with SeqConflict', async () => {
    // given a journal at seq 5
    const journal = openJournal(freshDir())
    unwrap(await journal.append(draftsFor(1, 5)))

    // when appending with a stale and with a future expectation, and then with the right one
    const stale = await journal.append(draftsFor(6, 2), { expectedLastSeq: 4 })
    const ahead = await journal.append(draftsFor(6, 2), { expectedLastSeq: 6 })
    const right = await journal.append(draftsFor(6, 2), { expectedLastSeq: 5 })

    // then the first two fail naming both seqs and append nothing; the third lands at 6..7
    expect(stale).toEqual(E.left({ _tag: 'SeqConflict', expectedLastSeq: 4, actualLastSeq: 5 }))
    expect(ahead).toEqual(E.left({ _tag: 'SeqConflict', expectedLastSeq: 6, actualLastSeq: 5 }))
    expect(describeJournalError((stale as E.Left<never>).left)).toBe(
      'append expected last seq 4 but the journal is at 5',
    )
    expect(right).toEqual(E.right({ firstSeq: 6, lastSeq: 7 }))
    expect(seqsOf((await readAll(journal)).events)).toEqual(range(1, 7))
  })

  it.each([
    { what: 'a NaN price', bad: tick({ ltpPaise: Number.NaN }), type: 'TickReceived', reason: /ltpPaise NaN/ },
    { what: 'a zero price', bad: tick({ ltpPaise: 0 }), type: 'TickReceived', reason: /ltpPaise 0/ },
    {
      what: 'a bad instrument key',
      bad: tick({ instrumentKey: 'RELIANCE' }),
      type: 'TickReceived',
      reason: /instrumentKey "RELIANCE"/,
    },
    { what: 'a fractional bid', bad: tick({ bidPaise: 1.5 }), type: 'TickReceived', reason: /bidPaise 1.5/ },
    { what: 'a negative tick volume', bad: tick({ volume: -1 }), type: 'TickReceived', reason: /volume -1/ },
    { what: 'a negative bid quantity', bad: tick({ bidQty: -3 }), type: 'TickReceived', reason: /bidQty -3/ },
    { what: 'a bar with a negative oi', bad: bar({ oi: -1 }), type: 'BarClosed', reason: /oi -1/ },
    {
      what: 'a bar with an unknown timeframe',
      bad: bar({ timeframe: '2m' as '1m' }),
      type: 'BarClosed',
      reason: /timeframe 2m/,
    },
    {
      what: 'an Infinity high',
      bad: bar({ highPaise: Number.POSITIVE_INFINITY }),
      type: 'BarClosed',
      reason: /highPaise/,
    },
    { what: 'a fractional ts', bad: tick({ ts: T0 + 0.5 }), type: 'TickReceived', reason: /ts 1704167100000.5/ },
    {
      what: 'a causationId not before it',
      bad: tick({ causationId: 6 }),
      type: 'TickReceived',
      reason: /causationId 6/,
    },
    {
      what: 'an order side the codec refuses',
      bad: orderRequested({ side: 'HOLD' }),
      type: 'OrderRequested',
      reason: /side/,
    },
    {
      what: 'an order id the codec refuses',
      bad: orderFilled({ orderId: 'no spaces' }),
      type: 'OrderFilled',
      reason: /orderId/,
    },
    { what: 'a NaN run seed (not JSON)', bad: runStarted({ seed: Number.NaN }), type: 'RunStarted', reason: /seed/ },
    {
      what: 'an Infinity run seed (not JSON)',
      bad: runStarted({ seed: Number.POSITIVE_INFINITY }),
      type: 'RunStarted',
      reason: /seed/,
    },
    {
      // The codec's guard passes (metadata numbers may be any number) but JSON writes NaN as null: the reread fails.
      what: 'a NaN in signal metadata (not JSON)',
      bad: signalWithMetadata({ fast: Number.NaN }),
      type: 'SignalEmitted',
      reason: /payload does not survive JSON: .*metadata/,
    },
    {
      what: 'strategy params with a BigInt (not JSON)',
      bad: strategyConfigured({ params: { fast: 10n } }),
      type: 'StrategyConfigured',
      reason: /payload is not JSON: .*BigInt/,
    },
    {
      what: 'strategy params with a cycle (not JSON)',
      bad: strategyConfigured({ params: cyclic() }),
      type: 'StrategyConfigured',
      reason: /payload is not JSON: .*circular/,
    },
    {
      what: 'an unknown event type',
      bad: { ...runStarted(), type: 'RunPaused' } as unknown as EventDraft,
      type: 'RunPaused',
      reason: /unknown event type "RunPaused"/,
    },
  ])(
    'refuses $what with InvalidEvent naming the index and reason, appending nothing',
    async ({ bad, type, reason }) => {
      // given a journal at seq 3 (RELIANCE and HDFCBANK in its dictionary)
      const dir = freshDir()
      const journal = openJournal(dir)
      unwrap(await journal.append([tick(), tick({ instrumentKey: HDFCBANK }), bar()]))
      const sizeBefore = fs.statSync(listSegments(dir)[0]!.path).size

      // when a batch whose third event is bad is appended (its first two introduce new instruments)
      const batch = [tick({ instrumentKey: INFY }), bar({ instrumentKey: NIFTY }), bad, tick()]
      const r = await journal.append(batch)

      // then it fails naming event #2, its type and the reason, and nothing was written
      expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'InvalidEvent', index: 2, type })
      const error = (r as E.Left<JournalError>).left
      expect('reason' in error && error.reason).toMatch(reason)
      expect(describeJournalError(error)).toMatch(/^event #2 of the batch/)
      expect(journal.lastSeq()).toBe(3)
      expect(fs.statSync(listSegments(dir)[0]!.path).size).toBe(sizeBefore)
      // and the journal goes on: the next batch gets seq 4, with the instruments the failed batch had introduced
      expect(await journal.append(batch.filter((d) => d !== bad))).toEqual(E.right({ firstSeq: 4, lastSeq: 6 }))
      const want = envelopesOf([tick(), tick({ instrumentKey: HDFCBANK }), bar(), ...batch.filter((d) => d !== bad)], 1)
      expect((await readAll(journal)).events).toStrictEqual(want)
      // and so does a reopen
      await journal.close()
      const again = openJournal(dir)
      expect((await readAll(again)).events).toStrictEqual(want)
    },
  )

  it('refuses a correlationId too long for its length field', async () => {
    // given a journal
    const journal = openJournal(freshDir())

    // when a tick whose correlationId has 65535 (the "absent" marker) or 65536 bytes is appended
    const at65535 = await journal.append([tick(), tick({ correlationId: 'x'.repeat(0xffff) })])
    const at65536 = await journal.append([tick({ correlationId: 'é'.repeat(0x8000) })])

    // then both are refused and nothing is written; 65534 bytes still round-trip
    expect(E.isLeft(at65535) && at65535.left).toMatchObject({ _tag: 'InvalidEvent', index: 1, type: 'TickReceived' })
    expect(E.isLeft(at65536) && at65536.left).toMatchObject({ _tag: 'InvalidEvent', index: 0, type: 'TickReceived' })
    const longest = tick({ correlationId: 'y'.repeat(0xfffe) })
    expect(await journal.append([longest])).toEqual(E.right({ firstSeq: 1, lastSeq: 1 }))
    expect((await readAll(journal)).events).toStrictEqual(envelopesOf([longest], 1))
  })

  it('keeps an invalid batch from disturbing a segment roll', async () => {
    // given a journal whose segment is full, so that the next append starts a new segment
    const dir = freshDir()
    const journal = openJournal(dir, { segmentBytes: 4096 })
    let seq = 1
    while (fs.statSync(listSegments(dir).at(-1)!.path).size < 4096) {
      unwrap(await journal.append(draftsFor(seq, 10)))
      seq += 10
    }
    expect(listSegments(dir)).toHaveLength(1)

    // when an invalid batch is refused there, and valid batches follow
    const bad = await journal.append([tick({ instrumentKey: INFY }), tick({ ltpPaise: -1 })])
    expect(E.isLeft(bad)).toBe(true)
    unwrap(await journal.append(draftsFor(seq, 10)))
    unwrap(await journal.append(draftsFor(seq + 10, 10)))

    // then the valid batches start a new segment and everything reads back, now and after a reopen
    const segments = listSegments(dir)
    expect(segments.map((s) => s.firstSeq)).toEqual([1, seq])
    const want = envelopesOf(draftsFor(1, seq + 19), 1)
    expect(await readAll(journal)).toEqual({ events: want, batchSizes: expect.any(Array), error: undefined })
    await journal.close()
    const again = openJournal(dir, { segmentBytes: 4096 })
    expect(again.lastSeq()).toBe(seq + 19)
    expect((await readAll(again)).events).toStrictEqual(want)
  })

  it('gives a second writer on the same directory JournalLocked, until the first closes', async () => {
    // given an open journal
    const dir = freshDir()
    const first = unwrap(openFileJournal(dir))
    unwrap(await first.append(draftsFor(1, 3)))

    // when another writer opens the same directory
    const second = openFileJournal(dir)

    // then it is refused, naming the directory and the holder's pid
    expect(second).toEqual(E.left({ _tag: 'JournalLocked', path: dir, pid: process.pid }))
    expect(describeJournalError((second as E.Left<never>).left)).toContain(`pid ${process.pid}`)
    // and once the first writer closes, the directory can be opened again and continues where it was
    await first.close()
    const third = openJournal(dir)
    expect(third.lastSeq()).toBe(3)
  })

  it('takes over the lock of a writer that is gone, with a warning', async () => {
    // given a LOCK file left by a process that no longer exists
    const dir = freshDir()
    await unwrap(openFileJournal(dir)).close()
    const deadPid = 2 ** 22 + 12_345 // above Linux's pid_max limit (4194304), so it cannot be a live process
    fs.writeFileSync(path.join(dir, 'LOCK'), String(deadPid))

    // when the journal is opened
    const log = recordingLog()
    const r = openFileJournal(dir, { log: log.log })

    // then it opens and says whose lock it took over
    expect(E.isRight(r)).toBe(true)
    if (E.isRight(r)) open.push(r.right)
    expect(log.warnings()).toEqual([
      { level: 'warn', fields: { dir, stalePid: deadPid }, msg: 'took over the lock of a writer that is gone' },
    ])
    expect(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8')).toBe(String(process.pid))
  })

  it('refuses appends after close with JournalClosed', async () => {
    // given a closed journal
    const dir = freshDir()
    const journal = unwrap(openFileJournal(dir))
    unwrap(await journal.append(draftsFor(1, 1)))
    await journal.close()

    // when appending
    const r = await journal.append(draftsFor(2, 1))

    // then the append is refused and the LOCK is gone
    expect(E.isLeft(r) && r.left._tag).toBe('JournalClosed')
    expect(fs.existsSync(path.join(dir, 'LOCK'))).toBe(false)
  })
})

describe('file journal: checkpoints', () => {
  it('records named positions durably, survives a reopen, and refuses positions past the last seq', async () => {
    // given a journal at seq 10
    const dir = freshDir()
    const journal = unwrap(openFileJournal(dir))
    unwrap(await journal.append(draftsFor(1, 10)))

    // when checkpoints are set, one of them twice, and then one beyond the last seq
    unwrap(await journal.setCheckpoint('positions', 4))
    unwrap(await journal.setCheckpoint('orders', 10))
    unwrap(await journal.setCheckpoint('positions', 7))
    const beyond = await journal.setCheckpoint('positions', 11)
    const negative = await journal.setCheckpoint('pnl', -1)
    const fractional = await journal.setCheckpoint('pnl', 2.5)

    // then the latest values are kept and the bad ones refused without changing anything
    expect(journal.checkpoint('positions')).toBe(7)
    expect(journal.checkpoint('orders')).toBe(10)
    expect(journal.checkpoint('pnl')).toBeUndefined()
    expect(E.isLeft(beyond) && beyond.left).toMatchObject({ _tag: 'InvalidEvent', type: 'checkpoint' })
    expect(E.isLeft(beyond) && describeJournalError(beyond.left)).toContain('seq 11 is not a durable seq (last is 10)')
    expect(E.isLeft(negative)).toBe(true)
    expect(E.isLeft(fractional)).toBe(true)

    // and after a reopen the writer and a reader see the same values
    await journal.close()
    const again = openJournal(dir)
    expect(again.checkpoint('positions')).toBe(7)
    expect(again.checkpoint('orders')).toBe(10)
    expect(again.checkpoint('pnl')).toBeUndefined()
    const reader = unwrap(openJournalReader(dir))
    expect(reader.checkpoint('positions')).toBe(7)
    await reader.close()
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'checkpoints.json'), 'utf8'))).toEqual({
      orders: 10,
      positions: 7,
    })
  })
})

describe('journal reader', () => {
  it('sees what a writer appends after the reader was opened', async () => {
    // given a writer with 3 events and a reader opened on it
    const dir = freshDir()
    const journal = openJournal(dir)
    unwrap(await journal.append(draftsFor(1, 3)))
    const reader = unwrap(openJournalReader(dir))
    expect(reader.lastSeq()).toBe(3)

    // when the writer appends more
    unwrap(await journal.append(draftsFor(4, 5)))

    // then the reader's lastSeq and reads follow
    expect(reader.lastSeq()).toBe(8)
    expect((await readAll(reader)).events).toStrictEqual(envelopesOf(draftsFor(1, 8), 1))
    await reader.close()
  })

  it('tail in the writer process follows its own appends and ends when aborted', async () => {
    // given a journal with 2 events, tailed from seq 2 in the same process with a poll interval far too long to help
    const journal = openJournal(freshDir(), { segmentBytes: 2048 })
    unwrap(await journal.append(draftsFor(1, 2)))
    const ac = new AbortController()
    const received: number[][] = []
    const done = (async () => {
      for await (const b of journal.tail({ from: 2, signal: ac.signal, pollMs: 60_000 })) {
        if (E.isLeft(b)) throw new Error(describeJournalError(b.left))
        received.push(seqsOf(b.right))
      }
    })()
    const receivedUpTo = async (seq: number): Promise<number> => {
      const started = performance.now()
      while (received.flat().at(-1) !== seq && performance.now() - started < 2_000) await sleep(2)
      return received.flat().at(-1) ?? 0
    }

    // when five batches are appended with pauses (and segment rolls) between them
    const seen: number[] = [await receivedUpTo(2)]
    for (let i = 0; i < 5; i++) {
      unwrap(await journal.append(draftsFor(3 + i * 30, 30)))
      seen.push(await receivedUpTo(2 + (i + 1) * 30))
    }

    // then each batch reached the tail right after its append (the writer wakes it), all of them in order
    expect(seen).toEqual([2, 32, 62, 92, 122, 152])
    expect(received.flat()).toEqual(range(2, 152))
    // and aborting ends the waiting tail at once
    const abortedAt = performance.now()
    ac.abort()
    await done
    expect(performance.now() - abortedAt).toBeLessThan(1_000)
  })
})

describe('JSON events', () => {
  it('keeps a payload whose text holds "null" as a word, and reads it back unchanged', async () => {
    // given a signal whose reason and metadata spell "null" (the encoder's fast path falls back to a full reread)
    const dir = freshDir()
    const journal = openJournal(dir)
    const draft = signalWithMetadata({ note: 'null', fast: 101.5 }, 'null hypothesis rejected')
    // when it is appended and read back
    unwrap(await journal.append([draft]))
    const read: Envelope[] = []
    for await (const b of journal.read()) read.push(...unwrap(b))
    // then it is the same event
    expect(read.map((e) => e.payload)).toEqual([(draft as { payload: unknown }).payload])
  })
})

describe('durability on demand (a backtest journal)', () => {
  it('hands appends to readers before sync, and keeps every event across sync, close and reopen', async () => {
    // given a journal opened to sync on demand
    const dir = freshDir()
    const journal = openJournal(dir, { durability: 'sync' })
    const drafts = [tick(), bar(), tick({ instrumentKey: HDFCBANK })]
    // when a batch is appended, before any sync
    const ack = unwrap(await journal.append(drafts))
    // then another reader of the directory already sees it
    const reader = unwrap(openJournalReader(dir))
    const seen: number[] = []
    for await (const b of reader.read()) seen.push(...unwrap(b).map((e) => e.seq))
    await reader.close()
    expect(ack).toEqual({ firstSeq: 1, lastSeq: 3 })
    expect(seen).toEqual([1, 2, 3])
    // and sync succeeds, and the events survive closing and reopening
    expect(E.isRight(await journal.sync())).toBe(true)
    unwrap(await journal.append([bar()]))
    expect(E.isRight(await journal.sync())).toBe(true)
    await journal.close()
    const reopened = openJournal(dir)
    expect(reopened.lastSeq()).toBe(4)
  })

  it('writes appends made while a sync is in flight after it, even when they start a new segment', async () => {
    // given a journal whose segments roll after a few bytes, with one batch written and its sync in flight
    const dir = freshDir()
    const journal = openJournal(dir, { durability: 'sync', segmentBytes: 64 })
    // (megabytes, so that the disk takes a while to flush them: a write started during the flush would be seen)
    const first = Array.from({ length: 100_000 }, (_, i) => tick({ ts: T0 + i }))
    unwrap(await journal.append(first))
    const answered: string[] = []
    const noting =
      (name: string) =>
      <T>(r: T): T => {
        answered.push(name)
        return r
      }
    const synced = journal.sync().then(noting('sync'))
    // when two more batches are appended before the sync resolves (each rolls the segment the other holds open)
    const second = journal.append([bar()]).then(noting('second'))
    const third = journal.append([tick({ instrumentKey: HDFCBANK }), bar()]).then(noting('third'))
    // then the sync succeeds before either batch is written (no write or roll touches the file while its fdatasync
    // runs), the batches get the next seqs in order, and after a last sync and close all of them read back from three
    // segments
    expect(E.isRight(await synced)).toBe(true)
    await Promise.all([second, third])
    expect(answered).toEqual(['sync', 'second', 'third'])
    expect(unwrap(await second)).toEqual({ firstSeq: 100_001, lastSeq: 100_001 })
    expect(unwrap(await third)).toEqual({ firstSeq: 100_002, lastSeq: 100_003 })
    expect(E.isRight(await journal.sync())).toBe(true)
    await journal.close()
    const reader = unwrap(openJournalReader(dir))
    const seen: string[] = []
    for await (const b of reader.read()) seen.push(...unwrap(b).map((e) => `${e.seq}:${e.type}`))
    await reader.close()
    expect(seen).toHaveLength(100_003)
    expect(seen.slice(-4)).toEqual([
      '100000:TickReceived',
      '100001:BarClosed',
      '100002:TickReceived',
      '100003:BarClosed',
    ])
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.bahij'))).toHaveLength(3)
  })
})
