import {
  type BarClosed,
  type BarColumns,
  barPayloadAt,
  type Envelope,
  type EventDraft,
} from '../../domain/events/index.js'
import { unsafe } from '../../domain/ids/index.js'
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

/** Steps `out[start]` and, in turn, every decision it causes; `seq` is the last seq in `out`. Returns the next seq. */
const cascadeFrom = (engine: Engine, state: EngineState, start: number, seq: number, out: Envelope[]): number => {
  for (let i = start; i < out.length; i++) {
    const { decisions } = engine.step(state, out[i]!)
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
): number => {
  const start = out.length
  out.push(numbered(input, firstSeq))
  return cascadeFrom(engine, state, start, firstSeq, out)
}

/** The same for row `i` of bar columns: its envelope is built straight from the columns, with no draft between. */
export const runBarCascade = (
  engine: Engine,
  state: EngineState,
  bars: BarColumns,
  i: number,
  firstSeq: number,
  out: Envelope[],
): number => {
  const start = out.length
  const bar: Envelope<BarClosed> = {
    seq: unsafe.seq(firstSeq),
    ts: bars.tsMs[i] as number,
    type: 'BarClosed',
    payload: barPayloadAt(bars, i),
  }
  out.push(bar)
  return cascadeFrom(engine, state, start, firstSeq, out)
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
