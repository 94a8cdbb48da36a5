import * as E from 'fp-ts/lib/Either.js'
import { type InstrumentKey, unsafe } from '../../domain/ids/index.js'
import { DEFAULT_TICK_PAISE } from '../../domain/money/index.js'
import type { BarRow, TickRow } from '../marketStore/index.js'
import { parseTickFile, type TickDraft, type TickFileFormat } from '../tickFiles/index.js'
import { type PolicyRejection, policyRejection, type RowPolicy } from './applyPolicy.js'
import { type ParseFailure, parseFailure, type RowIssue } from './importTypes.js'

// Tick files into store rows: the tick-file parsers (src/adapters/tickFiles) read the lines; this applies the row
// policy and gives each tick its key. What is stored is what the source says: the exchange's last-trade time where
// the file has one (Kite), else the only time there is (the NSE second of an index value, Dhan's receive time),
// integer paise, the day's cumulative volume and open interest when the feed has them.
//
// - A line that cannot be read is an `unreadable` issue; a futures price off its instrument's tick (the stored
//   master's, else 0.05 INR; index values have none) is `offTick`. Under
//   `reject` any issue rejects the file; under `skip` the tick is left out and listed; under `flag` an off-tick tick
//   is kept and listed (the ticks table has no flags column), an unreadable line is left out and listed.
// - Ticks outside the session are kept: the bar aggregator's session rule decides what they mean (a pre-open tick
//   sets the day's volume baseline), so the store keeps the raw feed.
// - `seq` numbers ticks with the same instrument and time in file order (0, 1, …), so two snapshots in one second
//   are both kept and a re-import finds the same keys.
// - Lines the format defines as not ticks (Dhan `oi` packets) are counted as ignored.

export interface TickFileRows {
  readonly rowsRead: number
  readonly ticks: readonly TickRow[]
  /** Bars folded from the kept ticks (when the import asks for them), written with the ticks. */
  readonly bars: readonly BarRow[]
  /** With bars: the kept ticks the aggregator left out of them; null without bars. */
  readonly ticksNotInBars: TicksNotInBars | null
  readonly skipped: readonly RowIssue[]
  readonly flagged: readonly RowIssue[]
  readonly floatNoiseRoundings: number
  readonly ignoredRows: number
}

export type TickFileRejection = ParseFailure | PolicyRejection

/**
 * Ticks of a file that the aggregator kept out of its bars (its rules: docs/bar-aggregation.md): stored as ticks
 * all the same, and counted in the import summary, since the bars alone would not show them.
 */
export interface TicksNotInBars {
  /** For a minute already closed. */
  readonly late: number
  /** Exact repeats of the instrument's previous tick. */
  readonly duplicates: number
  /** Before the session's open (they only set the volume baseline), at or after its close, or on a closed day. */
  readonly outsideSession: number
}

/** Folds a file's ticks into 1-minute bars; the composition root supplies it (the aggregator is a projection). */
export type TicksToBars = (ticks: readonly TickDraft[]) => {
  readonly bars: readonly BarRow[]
  readonly notInBars: TicksNotInBars
}

export interface TickRowOptions {
  readonly instrumentKey?: string
  readonly policy: RowPolicy
  /**
   * An instrument's tick in paise, for the off-tick check (the store's instrument master); when it gives none,
   * 0.05 INR for futures. Index values are never checked.
   */
  readonly tickPaise?: (instrumentKey: string) => number | undefined
  readonly ticksToBars?: TicksToBars
}

/** Tick per instrument key, asked once per key; 0 for none (an index value, or a 1-paisa tick nothing can miss). */
const tickOf = (format: TickFileFormat, opts: TickRowOptions): ((key: string) => number) => {
  if (format === 'nifty-index-1s') return () => 0
  const known = new Map<string, number>()
  return (key) => {
    let tick = known.get(key)
    if (tick === undefined) {
      const t = opts.tickPaise?.(key) ?? DEFAULT_TICK_PAISE
      tick = t > 1 ? t : 0
      known.set(key, tick)
    }
    return tick
  }
}

export const parseTickRows = (
  format: TickFileFormat,
  text: string,
  opts: TickRowOptions,
): E.Either<TickFileRejection, TickFileRows> => {
  const key: InstrumentKey | undefined =
    opts.instrumentKey === undefined ? undefined : unsafe.instrumentKey(opts.instrumentKey)
  const parsed = parseTickFile(text, { format, ...(key === undefined ? {} : { instrumentKey: key }) })
  if (E.isLeft(parsed)) return E.left(parseFailure(parsed.left.line, parsed.left.reason))
  const p = parsed.right
  const tickFor = tickOf(format, opts)
  const issues: RowIssue[] = p.rejections.map((r) => ({ line: r.line, kind: 'unreadable', detail: r.reason }))
  const offTick = new Set<number>()
  for (let i = 0; i < p.ticks.length; i++) {
    const t = p.ticks[i] as TickDraft
    const tick = tickFor(t.payload.instrumentKey)
    if (tick !== 0 && t.payload.ltpPaise % tick !== 0) {
      const line = p.lines[i] as number
      offTick.add(i)
      issues.push({
        line,
        kind: 'offTick',
        detail: `ltp ${(t.payload.ltpPaise / 100).toFixed(2)} is off the ${(tick / 100).toFixed(2)} tick`,
      })
    }
  }
  issues.sort((a, b) => a.line - b.line)
  if (opts.policy === 'reject' && issues.length > 0) return E.left(policyRejection(issues, p.rowsRead))
  const keepOffTick = opts.policy === 'flag'
  const kept: TickDraft[] = []
  const rows: TickRow[] = []
  const seqs = new Map<string, number>()
  for (let i = 0; i < p.ticks.length; i++) {
    if (offTick.has(i) && !keepOffTick) continue
    const t = p.ticks[i] as TickDraft
    const x = t.payload
    const k = `${x.instrumentKey} ${x.lttMs}`
    const seq = seqs.get(k) ?? 0
    seqs.set(k, seq + 1)
    kept.push(t)
    rows.push({
      instrumentKey: x.instrumentKey,
      lttMs: x.lttMs,
      seq,
      ltpPaise: x.ltpPaise,
      ltq: x.ltq,
      volume: x.volume ?? null,
      oi: x.oi ?? null,
    })
  }
  const skipped = issues.filter((x) => x.kind === 'unreadable' || !keepOffTick)
  const flagged = keepOffTick ? issues.filter((x) => x.kind === 'offTick') : []
  return E.right({
    rowsRead: p.rowsRead,
    ticks: rows,
    ...(opts.ticksToBars === undefined
      ? { bars: [], ticksNotInBars: null }
      : (({ bars, notInBars }) => ({ bars, ticksNotInBars: notInBars }))(opts.ticksToBars(kept))),
    skipped,
    flagged,
    floatNoiseRoundings: p.pricesRounded,
    ignoredRows: p.skipped.length,
  })
}
