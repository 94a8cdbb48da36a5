import {
  type AppendItem,
  type BarClosed,
  type BarColumns,
  barPayloadAt,
  type Envelope,
  type EventDraft,
} from '../../domain/events/index.js'
import { type InstrumentKey, unsafe } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import { describeJournalError, type JournalError } from '../../journal/index.js'
import type { Engine, EngineState } from '../../projections/index.js'

// One input and everything it causes: the input is numbered, stepped, and each decision is numbered and stepped in
// turn (FIFO), until nothing more follows. Both drivers run this; the journal later assigns the same seqs because
// the driver is its only writer and appends with `expectedLastSeq` (the envelopes go to the journal as they are: it
// ignores their `seq` and numbers them itself).

/** Guards against a decider loop (a decision that always causes another): a bug, so it throws. */
const MAX_CASCADE = 10_000

/**
 * The draft numbered, as a fresh object of one of a few fixed shapes: a literal is several times cheaper than a
 * spread on the hot path (every bar of a backtest passes here), and the caller's draft is never mutated.
 */
const numbered = (d: EventDraft, seq: number): Envelope => {
  const { causationId, correlationId } = d
  if (causationId === undefined && correlationId === undefined)
    return { seq, ts: d.ts, type: d.type, payload: d.payload } as Envelope
  if (correlationId === undefined) return { seq, ts: d.ts, type: d.type, payload: d.payload, causationId } as Envelope
  if (causationId === undefined) return { seq, ts: d.ts, type: d.type, payload: d.payload, correlationId } as Envelope
  return { seq, ts: d.ts, type: d.type, payload: d.payload, causationId, correlationId } as Envelope
}

/**
 * Sees each event right after it is stepped, with the state it left (a backtest's report folds as it runs, instead of
 * reading the journal back).
 */
export interface StepObserver {
  readonly event: (state: EngineState, e: Envelope) => void
  /**
   * A bar of a run of bar columns (`runBarRows`), by its close time (`ts`) and start: what `event` would read of it,
   * without an envelope (every bar of a backtest passes here, and envelopes of many shapes make `event` slow to read).
   */
  readonly bar: (state: EngineState, ts: number, openMs: number) => void
}

/** Steps `out[start]` and, in turn, every decision it causes; `seq` is the last seq in `out`. Returns the next seq. */
const cascadeFrom = (
  engine: Engine,
  state: EngineState,
  start: number,
  seq: number,
  out: Envelope[],
  observe: StepObserver | undefined,
): number => {
  for (let i = start; i < out.length; i++) {
    const { decisions } = engine.step(state, out[i]!)
    if (observe !== undefined) observe.event(state, out[i]!)
    for (const d of decisions) out.push(numbered(d, ++seq))
    if (out.length - start > MAX_CASCADE) {
      throw new Error(`decision cascade from seq ${out[start]!.seq} exceeded ${MAX_CASCADE} events: a decider loops`)
    }
  }
  return seq + 1
}

export const runCascade = (
  engine: Engine,
  state: EngineState,
  input: EventDraft,
  firstSeq: number,
  out: Envelope[],
  observe?: StepObserver,
): number => {
  const start = out.length
  out.push(numbered(input, firstSeq))
  return cascadeFrom(engine, state, start, firstSeq, out, observe)
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** Two rows, without and with open interest: the cursor's envelopes start with these shapes. */
const PLACEHOLDER: BarColumns = {
  length: 2,
  keys: [unsafe.instrumentKey('NSE_EQ|PLACEHOLDER')],
  timeframe: '1m',
  keyIndex: new Int32Array(2),
  openMs: new Float64Array(2),
  tsMs: new Float64Array(2),
  openPaise: new Float64Array([1, 1]),
  highPaise: new Float64Array([1, 1]),
  lowPaise: new Float64Array([1, 1]),
  closePaise: new Float64Array([1, 1]),
  volume: new Float64Array(2),
  oi: new Float64Array([0, 1]),
}

/**
 * The bar envelopes a run of bar columns is stepped with: one object per payload shape (with or without `oi`), refilled
 * for each row. The engine keeps nothing of a price event it is given (strategies copy what they keep, see
 * docs/writing-a-strategy.md; a journal scan hands over reused objects the same way), so a backtest needs no object
 * per bar. The fields are those `barPayloadAt` gives, in its order.
 */
export class BarCursor {
  private readonly plain = {
    seq: unsafe.seq(1),
    ts: 0,
    type: 'BarClosed' as const,
    payload: barPayloadAt(PLACEHOLDER, 0),
  }
  private readonly withOi = {
    seq: unsafe.seq(1),
    ts: 0,
    type: 'BarClosed' as const,
    payload: barPayloadAt(PLACEHOLDER, 1),
  }

  /** Row `i` as the `BarClosed` envelope numbered `seq`; valid until the next call. */
  at(b: BarColumns, i: number, seq: number): Envelope<BarClosed> {
    const oi = b.oi[i] as number
    const e = oi > 0 ? this.withOi : this.plain
    const p = e.payload as Mutable<BarClosed['payload']>
    e.seq = unsafe.seq(seq)
    e.ts = b.tsMs[i] as number
    p.instrumentKey = b.keys[b.keyIndex[i] as number] as InstrumentKey
    p.timeframe = b.timeframe
    p.openMs = b.openMs[i] as number
    p.openPaise = unsafeMoney.price(b.openPaise[i] as number)
    p.highPaise = unsafeMoney.price(b.highPaise[i] as number)
    p.lowPaise = unsafeMoney.price(b.lowPaise[i] as number)
    p.closePaise = unsafeMoney.price(b.closePaise[i] as number)
    p.volume = b.volume[i] as number
    if (oi > 0) p.oi = oi
    return e
  }
}

/**
 * Steps every row of `bars` (the first numbered `firstSeq`) and adds to `pending` what the journal is to hold: runs of
 * quiet bars as `BarRows`, and, after each bar that causes decisions, that bar's whole cascade as envelopes. The
 * journal numbers the rows and envelopes in that order, so it gives them the seqs they were stepped with. Returns
 * the next seq.
 */
export const runBarRows = (
  engine: Engine,
  state: EngineState,
  bars: BarColumns,
  firstSeq: number,
  cursor: BarCursor,
  pending: AppendItem[],
  observe?: StepObserver,
): number => {
  let seq = firstSeq
  let runFrom = 0
  const cascade: Envelope[] = []
  for (let i = 0; i < bars.length; i++) {
    const bar = cursor.at(bars, i, seq)
    const { decisions } = engine.step(state, bar)
    if (observe !== undefined) observe.bar(state, bar.ts, bars.openMs[i] as number)
    if (decisions.length === 0) {
      seq++
      continue
    }
    pending.push({ columns: bars, from: runFrom, to: i + 1 })
    runFrom = i + 1
    for (const d of decisions) cascade.push(numbered(d, ++seq))
    seq = cascadeFrom(engine, state, 0, seq, cascade, observe)
    for (const e of cascade) pending.push(e)
    cascade.length = 0
  }
  if (runFrom < bars.length) pending.push({ columns: bars, from: runFrom, to: bars.length })
  return seq
}

/** A journal must begin with its run's manifest (RunStarted): the drivers refuse anything else as its first event. */
export interface NoManifest {
  readonly _tag: 'NoManifest'
  readonly firstType: string
}

export const noManifest = (firstType: string): NoManifest => ({ _tag: 'NoManifest', firstType })

export const describeDriverError = (e: JournalError | NoManifest): string =>
  e._tag === 'NoManifest'
    ? `a journal must begin with RunStarted (the run's manifest), not ${e.firstType}`
    : describeJournalError(e)
