import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Envelope, EventDraft } from '../domain/events/index.js'
import { unsafe } from '../domain/ids/index.js'
import { unsafeMoney } from '../domain/money/index.js'
import { KIND_BAR_BLOCK } from './barBlocks.js'
import type { JournalLog } from './fileJournal.js'
import type { JournalReader, ReadOptions } from './journal.js'
import type { JournalError } from './journalErrors.js'
import { FRAME_BYTES, KIND_BAR, KIND_BATCH, KIND_FLAT, KIND_JSON, KIND_TICK } from './recordCodec.js'
import { HEADER_BYTES } from './segmentFiles.js'

// Test fixtures for the journal: draft builders, a deterministic event stream (a pure function of seq, so a process
// that only knows which seqs were acknowledged can check what another process wrote), and helpers that read a
// journal back or look at its files. Used by the journal's specs and by the child processes they start.

export const RELIANCE = 'NSE_EQ|INE002A01018'
export const HDFCBANK = 'NSE_EQ|INE040A01034'
export const INFY = 'NSE_EQ|INE009A01021'
export const NIFTY = 'NSE_INDEX|Nifty 50'
export const BANKNIFTY_FUT = 'NSE_FO|35001'
export const INSTRUMENTS: readonly string[] = [RELIANCE, HDFCBANK, INFY, NIFTY, BANKNIFTY_FUT]

/** 2024-01-02 09:15:00 IST. */
export const T0 = 1_704_167_100_000

type Meta = {
  readonly ts?: number | undefined
  readonly causationId?: number | undefined
  readonly correlationId?: string | undefined
}

/** Copies `o` without the keys whose value is undefined (drafts must not carry them: see exactOptionalPropertyTypes). */
const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T

const meta = (m: Meta) =>
  defined({
    ts: m.ts ?? T0,
    causationId: m.causationId === undefined ? undefined : unsafe.seq(m.causationId),
    correlationId: m.correlationId,
  })

export interface TickSpec extends Meta {
  readonly instrumentKey?: string | undefined
  readonly ltpPaise?: number | undefined
  readonly lttMs?: number | undefined
  readonly ltq?: number | undefined
  readonly volume?: number | undefined
  readonly oi?: number | undefined
  readonly bidPaise?: number | undefined
  readonly askPaise?: number | undefined
  readonly bidQty?: number | undefined
  readonly askQty?: number | undefined
}

export const tick = (s: TickSpec = {}): EventDraft =>
  ({
    type: 'TickReceived',
    ...meta(s),
    payload: defined({
      instrumentKey: unsafe.instrumentKey(s.instrumentKey ?? RELIANCE),
      ltpPaise: unsafeMoney.price(s.ltpPaise ?? 245_010),
      lttMs: s.lttMs ?? s.ts ?? T0,
      ltq: s.ltq ?? 10,
      volume: s.volume,
      oi: s.oi,
      bidPaise: s.bidPaise === undefined ? undefined : unsafeMoney.paise(s.bidPaise),
      askPaise: s.askPaise === undefined ? undefined : unsafeMoney.paise(s.askPaise),
      bidQty: s.bidQty,
      askQty: s.askQty,
    }),
  }) as EventDraft

export interface BarSpec extends Meta {
  readonly instrumentKey?: string | undefined
  readonly timeframe?: '1m' | '3m' | '5m' | '15m' | '30m' | '1h' | '1d' | undefined
  readonly openMs?: number | undefined
  readonly openPaise?: number | undefined
  readonly highPaise?: number | undefined
  readonly lowPaise?: number | undefined
  readonly closePaise?: number | undefined
  readonly volume?: number | undefined
  readonly oi?: number | undefined
  readonly afterGap?: true | undefined
}

export const bar = (s: BarSpec = {}): EventDraft =>
  ({
    type: 'BarClosed',
    ...meta(s),
    payload: defined({
      instrumentKey: unsafe.instrumentKey(s.instrumentKey ?? RELIANCE),
      timeframe: s.timeframe ?? '1m',
      openMs: s.openMs ?? (s.ts ?? T0) - 60_000,
      openPaise: unsafeMoney.price(s.openPaise ?? 245_000),
      highPaise: unsafeMoney.price(s.highPaise ?? 246_000),
      lowPaise: unsafeMoney.price(s.lowPaise ?? 244_500),
      closePaise: unsafeMoney.price(s.closePaise ?? 245_500),
      volume: s.volume ?? 12_000,
      oi: s.oi,
      afterGap: s.afterGap,
    }),
  }) as EventDraft

export interface OrderSpec extends Meta {
  readonly orderId?: string | undefined
  readonly instrumentKey?: string | undefined
  readonly side?: string | undefined
  readonly qty?: number | undefined
  readonly limitPricePaise?: number | undefined
}

export const orderRequested = (s: OrderSpec = {}): EventDraft =>
  ({
    type: 'OrderRequested',
    ...meta({ correlationId: s.orderId ?? 'ord-1', ...s }),
    payload: defined({
      orderId: unsafe.orderId(s.orderId ?? 'ord-1'),
      strategyId: unsafe.strategyId('sma-cross.reliance'),
      instrumentKey: unsafe.instrumentKey(s.instrumentKey ?? RELIANCE),
      side: s.side ?? 'BUY',
      qty: unsafeMoney.qty(s.qty ?? 5),
      orderType: s.limitPricePaise === undefined ? 'MARKET' : 'LIMIT',
      product: 'I',
      validity: 'DAY',
      reason: 'fast SMA 10 crossed above slow SMA 30',
      limitPricePaise: s.limitPricePaise === undefined ? undefined : unsafeMoney.price(s.limitPricePaise),
    }),
  }) as EventDraft

export interface FillSpec extends Meta {
  readonly orderId?: string | undefined
  readonly tradeId?: string | undefined
  readonly fillQty?: number | undefined
  readonly fillPricePaise?: number | undefined
  readonly feesPaise?: number | undefined
}

export const orderFilled = (s: FillSpec = {}): EventDraft =>
  ({
    type: 'OrderFilled',
    ...meta({ correlationId: s.orderId ?? 'ord-1', ...s }),
    payload: {
      orderId: unsafe.orderId(s.orderId ?? 'ord-1'),
      tradeId: s.tradeId ?? 'trd-1',
      strategyId: unsafe.strategyId('sma-cross.reliance'),
      instrumentKey: unsafe.instrumentKey(RELIANCE),
      side: 'BUY',
      fillQty: unsafeMoney.qty(s.fillQty ?? 5),
      fillPricePaise: unsafeMoney.price(s.fillPricePaise ?? 245_050),
      feesPaise: unsafeMoney.paise(s.feesPaise ?? 2_371),
    },
  }) as EventDraft

export interface RunSpec extends Meta {
  readonly runId?: string | undefined
  readonly seed?: number | undefined
}

export const runStarted = (s: RunSpec = {}): EventDraft =>
  ({
    type: 'RunStarted',
    ...meta(s),
    payload: {
      runId: s.runId ?? 'run-2024-01-02',
      mode: 'paper',
      broker: 'simulated',
      codeVersion: '0.1.0+g92cb9d0',
      configHash: 'c0ffee'.repeat(10),
      dataHash: 'beef'.repeat(16),
      seed: s.seed ?? 42,
      capitalPaise: unsafeMoney.paise(1_000_000_00),
    },
  }) as EventDraft

export interface StrategySpec extends Meta {
  readonly params?: Record<string, unknown> | undefined
  readonly instruments?: readonly string[] | undefined
  readonly enabled?: boolean | undefined
}

export const strategyConfigured = (s: StrategySpec = {}): EventDraft =>
  ({
    type: 'StrategyConfigured',
    ...meta(s),
    payload: {
      strategyId: unsafe.strategyId('sma-cross.reliance'),
      kind: 'sma-cross',
      params: s.params ?? { fast: 10, slow: 30 },
      instruments: (s.instruments ?? [RELIANCE]).map(unsafe.instrumentKey),
      enabled: s.enabled ?? true,
    },
  }) as EventDraft

/**
 * The event a deterministic writer puts at `seq`: a pure function of seq, mixing ticks with and without optional
 * fields, bars with and without oi/afterGap, order and run events, causation and (multi-byte) correlation ids.
 */
export const draftForSeq = (seq: number): EventDraft => {
  const instrumentKey = INSTRUMENTS[seq % INSTRUMENTS.length]!
  const ts = T0 + seq * 7
  const causationId = seq > 1 && seq % 3 === 0 ? seq - 1 - (seq % 5) : undefined
  const c = causationId !== undefined && causationId >= 1 ? causationId : undefined
  switch (seq % 10) {
    case 0:
    case 1:
    case 2:
      return tick({ ts, instrumentKey, ltpPaise: 100_000 + (seq % 997), ltq: seq % 50, causationId: c })
    case 3:
    case 4:
      return tick({
        ts,
        instrumentKey,
        ltpPaise: 200_000 + (seq % 331),
        ltq: 1 + (seq % 9),
        volume: seq * 11,
        oi: seq % 2 === 0 ? seq : undefined,
        bidPaise: 199_995,
        askPaise: seq % 4 === 0 ? undefined : 200_005,
        bidQty: seq % 4 === 0 ? undefined : 3,
        askQty: 7,
        correlationId: seq % 4 === 3 ? `feed-₹-${seq}` : undefined,
      })
    case 5:
      return bar({ ts, instrumentKey, closePaise: 245_000 + (seq % 101), volume: seq, causationId: c })
    case 6:
      return bar({ ts, instrumentKey, timeframe: '5m', oi: seq * 3, afterGap: true, correlationId: `bar-${seq}` })
    case 7:
      return orderRequested({ ts, orderId: `ord-${seq}`, qty: 1 + (seq % 20), causationId: c })
    case 8:
      return orderFilled({ ts, orderId: `ord-${seq - 1}`, tradeId: `trd-${seq}`, fillPricePaise: 245_000 + (seq % 77) })
    default:
      return seq % 100 === 9
        ? runStarted({ ts, runId: `run-${seq}`, seed: seq })
        : tick({ ts, instrumentKey, ltpPaise: seq })
  }
}

/** The drafts for seqs `first..first+count-1` as written by the deterministic writer. */
export const draftsFor = (first: number, count: number): EventDraft[] =>
  Array.from({ length: count }, (_, i) => draftForSeq(first + i))

/** What reading back `draft` at `seq` must give. */
export const envelopeOf = (draft: EventDraft, seq: number): Envelope => ({ ...draft, seq: unsafe.seq(seq) }) as Envelope

/** `drafts` numbered from `firstSeq`. */
export const envelopesOf = (drafts: readonly EventDraft[], firstSeq: number): Envelope[] =>
  drafts.map((d, i) => envelopeOf(d, firstSeq + i))

/** A deep copy without undefined-valued keys: what a `scan` visitor must keep (scan reuses tick/bar objects). */
export const copyEnvelope = (e: Envelope): Envelope => {
  const copy = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(copy)
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([, x]) => x !== undefined)
          .map(([k, x]) => [k, copy(x)]),
      )
    }
    return v
  }
  return copy(e) as Envelope
}

export interface LogCall {
  readonly level: 'warn' | 'info'
  readonly fields: Record<string, unknown>
  readonly msg: string
}

/** A `JournalLog` that records its calls. */
export const recordingLog = (): { log: JournalLog; calls: LogCall[]; warnings: () => LogCall[] } => {
  const calls: LogCall[] = []
  return {
    calls,
    warnings: () => calls.filter((c) => c.level === 'warn'),
    log: {
      warn: (fields, msg) => calls.push({ level: 'warn', fields, msg }),
      info: (fields, msg) => calls.push({ level: 'info', fields, msg }),
    },
  }
}

/** A fresh empty directory under the OS temp dir. */
export const tempDir = (label = 'journal'): string => fs.mkdtempSync(path.join(os.tmpdir(), `bahi-${label}-`))

export const removeDir = (dir: string): void => fs.rmSync(dir, { recursive: true, force: true })

/** The Right value, or a thrown error describing the Left (for setup steps whose failure is not under test). */
export const unwrap = <A>(e: E.Either<JournalError, A>): A => {
  if (E.isLeft(e)) throw new Error(`unexpected journal error: ${JSON.stringify(e.left)}`)
  return e.right
}

export interface ReadBack {
  readonly events: Envelope[]
  readonly batchSizes: number[]
  readonly error: JournalError | undefined
}

/** Drains `reader.read(opts)`: the events, the size of each yielded batch, and the Left that ended it, if any. */
export const readAll = async (reader: JournalReader, opts?: ReadOptions): Promise<ReadBack> => {
  const events: Envelope[] = []
  const batchSizes: number[] = []
  let error: JournalError | undefined
  for await (const b of reader.read(opts)) {
    if (E.isLeft(b)) {
      if (error !== undefined) throw new Error('read yielded a second Left')
      error = b.left
      continue
    }
    if (error !== undefined) throw new Error('read yielded events after a Left')
    batchSizes.push(b.right.length)
    events.push(...b.right)
  }
  return { events, batchSizes, error }
}

/** Runs `reader.scan(opts)`, copying every visited event. */
export const scanAll = async (
  reader: JournalReader,
  opts: ReadOptions = {},
): Promise<{ events: Envelope[]; result: E.Either<JournalError, { count: number; lastSeq: number }> }> => {
  const events: Envelope[] = []
  const result = await reader.scan(opts, (e) => {
    events.push(copyEnvelope(e))
  })
  return { events, result }
}

export const seqsOf = (events: readonly Envelope[]): number[] => events.map((e) => e.seq)

export const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)

// ---------------------------------------------------------------------------------------------------------------
// Looking at segment files (an independent walk over the framing, for tests that damage files on purpose)

export interface Frame {
  /** File offset of the frame (its u32 length). */
  readonly offset: number
  readonly bodyLen: number
  readonly kind: number
  /** For event records: the seq in the record header (for a bar block, its first bar's). */
  readonly seq: number | undefined
  /** For BATCH records: the number of events and the bytes that follow the header. */
  readonly batch: { readonly count: number; readonly firstSeq: number; readonly bytes: number } | undefined
}

/** The frames of a segment file, in order, up to the first one that does not fit the file. */
export const walkFrames = (file: string): Frame[] => {
  const buf = fs.readFileSync(file)
  const frames: Frame[] = []
  let p = HEADER_BYTES
  while (p + FRAME_BYTES <= buf.length) {
    const bodyLen = buf.readUInt32LE(p)
    const body = p + FRAME_BYTES
    if (bodyLen === 0 || body + bodyLen > buf.length) break
    const kind = buf[body]!
    // A bar block's first seq sits where an event record's seq does.
    const isEvent =
      kind === KIND_TICK || kind === KIND_BAR || kind === KIND_JSON || kind === KIND_FLAT || kind === KIND_BAR_BLOCK
    frames.push({
      offset: p,
      bodyLen,
      kind,
      seq: isEvent ? buf.readDoubleLE(body + 1) : undefined,
      batch:
        kind === KIND_BATCH
          ? {
              count: buf.readUInt32LE(body + 1),
              firstSeq: buf.readDoubleLE(body + 5),
              bytes: buf.readUInt32LE(body + 13),
            }
          : undefined,
    })
    p = body + bodyLen
  }
  return frames
}

/** Overwrites `bytes` at `offset` of `file`. */
export const patchFile = (file: string, offset: number, bytes: Uint8Array): void => {
  const fd = fs.openSync(file, 'r+')
  try {
    fs.writeSync(fd, bytes, 0, bytes.length, offset)
  } finally {
    fs.closeSync(fd)
  }
}

export const appendToFile = (file: string, bytes: Uint8Array): void => fs.appendFileSync(file, bytes)

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** A small seeded PRNG (mulberry32) so a failing random schedule can be replayed from its seed. */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
