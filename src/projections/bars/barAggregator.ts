import type { EventDraft, Timeframe } from '../../domain/events/index.js'
import type { InstrumentKey } from '../../domain/ids/index.js'
import { MINUTE_MS } from '../../domain/time/index.js'
import {
  addBarToBucket,
  type BarDraft,
  type Bucket,
  closeBucket,
  createBucket,
  createSessionCache,
  istDay,
  istDayStartMs,
  type SessionBounds,
  type SessionLookup,
} from './barBucket.js'

// Ticks -> 1-minute bars -> higher timeframes, as a fold by EXCHANGE time (the tick's `lttMs`). The rules, with
// their reasons, are in docs/bar-aggregation.md; in short:
//
// - a tick belongs to the minute of its last-trade time, aligned to the session open (09:15 anchor);
// - volume = increase of the day's cumulative traded volume (`volume`, Upstox `vtt`) over its high-water mark; the
//   first volume seen on a day (pre-open or in session) is the baseline and is attributed to no bar; a lower value
//   is a stale snapshot and adds nothing; a tick without `volume` adds nothing;
// - a tick for a minute that is already closed (a later minute has started, or a flush passed it) is late: dropped
//   and counted; an exact repeat of the previous tick (ltt, ltp, volume) is a duplicate: dropped and counted;
// - ticks before the session open only move the volume baseline; ticks at or after the close only close the
//   session's open bars; a day without a session (holiday) takes no ticks;
// - a minute without trades has no bar; the next bar of the session carries `afterGap: true`;
// - a bar closes when a tick of a later minute arrives (from the same instrument) or at `flush(T)` for bars ending
//   at or before T; the draft's `ts` is the bar's close time.
//
// Hot path: one mutable record per instrument, updated in place; no allocation per tick (the result array is
// allocated only when a bar closes, about once a minute per instrument). The state belongs to this aggregator
// alone; `snapshot()` gives an independent copy that `createBarAggregator(options, snapshot)` resumes from.

/** The fields of a tick the aggregator reads (a `TickReceived` payload fits). */
export interface BarTick {
  readonly instrumentKey: InstrumentKey
  readonly ltpPaise: number
  readonly lttMs: number
  readonly volume?: number
  readonly oi?: number
}

export interface BarAggregatorOptions {
  /** The calendar's session for an IST date (`TradingCalendar.sessionOn`). */
  readonly sessionOn: SessionLookup
  /** Timeframes to emit, each folded from the 1-minute bars; default `['1m']`; a snapshot's own list wins. */
  readonly timeframes?: readonly Timeframe[]
}

export interface BarAggregatorStats {
  /** Every tick offered. */
  ticks: number
  /** Ticks that went into a bar. */
  accepted: number
  /** Exact repeats (ltt, ltp, volume) of the instrument's previous tick. */
  duplicates: number
  /** Ticks for a minute already closed (or a previous day). */
  late: number
  /** Ticks before the session open (they only set the volume baseline). */
  preOpen: number
  /** Ticks at or after the session close. */
  postClose: number
  /** Ticks on a day without a session. */
  noSession: number
  /** Ticks whose cumulative volume was below the day's high-water mark (stale snapshots or resets). */
  volumeRegressions: number
  /** Bars emitted, all timeframes. */
  bars: number
}

interface InstrumentBars {
  readonly key: InstrumentKey
  day: number
  dayStartMs: number
  hasSession: boolean
  sessOpenMs: number
  sessCloseMs: number
  /** The same bounds as one shared record (the calendar cache's), handed to the higher-timeframe buckets. */
  session: SessionBounds
  /** Day's cumulative volume high-water mark; -1 until the first tick with volume that day. */
  hwm: number
  sawInSession: boolean
  /** Ticks starting before this instant are late (the minutes before it are closed). */
  closedThroughMs: number
  lastLtt: number
  lastLtp: number
  lastVol: number
  /** The 1-minute bar; `closeLtt`/`closeVol` order ticks inside the minute. */
  readonly m1: Bucket
  closeLtt: number
  closeVol: number
  /** Higher timeframes, ascending. */
  readonly higher: Bucket[]
}

export interface BarAggregatorSnapshot {
  readonly version: 1
  readonly timeframes: readonly Timeframe[]
  readonly instruments: readonly InstrumentBars[]
  readonly stats: BarAggregatorStats
}

export interface BarAggregator {
  /** Folds one tick; returns the bars it closed (oldest first, then ascending timeframe), usually none. */
  readonly onTick: (tick: BarTick) => readonly BarDraft[]
  /** Closes every open bar that ends at or before `untilMs` (a timer, the session end, the end of a replay). */
  readonly flush: (untilMs: number) => readonly BarDraft[]
  /** Routes journal events: ticks fold, `TimerFired` and `SessionPhaseChanged` flush at their `ts`. */
  readonly onEvent: (e: EventDraft) => readonly BarDraft[]
  readonly stats: Readonly<BarAggregatorStats>
  /** An independent copy of the whole state (plain data, structured-clone safe). */
  readonly snapshot: () => BarAggregatorSnapshot
}

const EMPTY: readonly BarDraft[] = Object.freeze([])
const NO_SESSION: SessionBounds = { openMs: 0, closeMs: 0 }

const ORDER: readonly Timeframe[] = ['1m', '3m', '5m', '15m', '30m', '1h', '1d']

const emptyStats = (): BarAggregatorStats => ({
  ticks: 0,
  accepted: 0,
  duplicates: 0,
  late: 0,
  preOpen: 0,
  postClose: 0,
  noSession: 0,
  volumeRegressions: 0,
  bars: 0,
})

export const createBarAggregator = (options: BarAggregatorOptions, from?: BarAggregatorSnapshot): BarAggregator => {
  // A snapshot carries its timeframes: resuming with other options must not mix bucket layouts.
  const wanted = new Set<Timeframe>(from?.timeframes ?? options.timeframes ?? ['1m'])
  const timeframes = ORDER.filter((tf) => wanted.has(tf))
  const emit1m = wanted.has('1m')
  const higherTfs = timeframes.filter((tf) => tf !== '1m')
  const sessionOf = createSessionCache(options.sessionOn)
  const stats: BarAggregatorStats = from === undefined ? emptyStats() : { ...from.stats }
  const instruments = new Map<string, InstrumentBars>()
  if (from !== undefined) for (const s of structuredClone(from.instruments)) instruments.set(s.key, s)

  let lastKey: string | undefined
  let last: InstrumentBars | undefined
  let out: BarDraft[] | undefined

  const push = (bars: BarDraft[]): BarDraft[] => {
    if (out === undefined) out = bars
    return out
  }
  const take = (): readonly BarDraft[] => {
    const r = out ?? EMPTY
    out = undefined
    stats.bars += r.length
    return r
  }

  const newInstrument = (key: InstrumentKey): InstrumentBars => ({
    key,
    day: -1,
    dayStartMs: 0,
    hasSession: false,
    sessOpenMs: 0,
    sessCloseMs: 0,
    session: NO_SESSION,
    hwm: -1,
    sawInSession: false,
    closedThroughMs: 0,
    lastLtt: -1,
    lastLtp: -1,
    lastVol: -1,
    m1: createBucket('1m'),
    closeLtt: -1,
    closeVol: -1,
    higher: higherTfs.map(createBucket),
  })

  /** Closes this instrument's bars that end at or before `t` (1m first, then ascending timeframes). */
  const advance = (s: InstrumentBars, t: number): void => {
    const m1 = s.m1
    if (m1.active && m1.endMs <= t) {
      const bars = push(out ?? [])
      if (emit1m) closeBucket(s.key, m1, bars)
      else {
        m1.prevIndex = m1.index
        m1.active = false
      }
      if (s.higher.length > 0) {
        const session: SessionBounds = { openMs: s.sessOpenMs, closeMs: s.sessCloseMs }
        for (const b of s.higher) {
          addBarToBucket(
            s.key,
            b,
            session,
            s.day,
            m1.openMs,
            m1.open,
            m1.high,
            m1.low,
            m1.close,
            m1.volume,
            m1.oi,
            bars,
          )
        }
      }
    }
    for (const b of s.higher) if (b.active && b.endMs <= t) closeBucket(s.key, b, push(out ?? []))
  }

  const startDay = (s: InstrumentBars, day: number): void => {
    advance(s, Number.POSITIVE_INFINITY)
    s.day = day
    s.dayStartMs = istDayStartMs(day)
    const session = sessionOf(day)
    s.hasSession = session !== undefined
    s.sessOpenMs = session?.openMs ?? 0
    s.sessCloseMs = session?.closeMs ?? 0
    s.session = session ?? NO_SESSION
    s.hwm = -1
    s.sawInSession = false
    s.closedThroughMs = s.dayStartMs
    s.m1.prevIndex = -1
  }

  const onTick = (tick: BarTick): readonly BarDraft[] => {
    stats.ticks++
    const key = tick.instrumentKey
    let s: InstrumentBars
    if (key === lastKey && last !== undefined) s = last
    else {
      const found = instruments.get(key)
      if (found === undefined) {
        s = newInstrument(key)
        instruments.set(key, s)
      } else s = found
      lastKey = key
      last = s
    }
    const ltt = tick.lttMs
    const ltp = tick.ltpPaise
    const vol = tick.volume ?? -1
    if (ltt === s.lastLtt && ltp === s.lastLtp && vol === s.lastVol) {
      stats.duplicates++
      return EMPTY
    }
    if (ltt < s.dayStartMs || ltt >= s.dayStartMs + 86_400_000 || s.day < 0) {
      const day = istDay(ltt)
      if (day < s.day) {
        stats.late++
        return EMPTY
      }
      startDay(s, day)
    }
    if (!s.hasSession) {
      stats.noSession++
      return take()
    }
    if (ltt < s.sessOpenMs) {
      if (s.sawInSession) stats.late++
      else {
        stats.preOpen++
        if (vol > s.hwm) s.hwm = vol
      }
      return take()
    }
    if (ltt >= s.sessCloseMs) {
      stats.postClose++
      advance(s, s.sessCloseMs)
      if (s.closedThroughMs < s.sessCloseMs) s.closedThroughMs = s.sessCloseMs
      return take()
    }
    const minuteStart = s.sessOpenMs + Math.floor((ltt - s.sessOpenMs) / MINUTE_MS) * MINUTE_MS
    if (minuteStart < s.closedThroughMs) {
      stats.late++
      return take()
    }
    const m1 = s.m1
    if (m1.active && minuteStart !== m1.openMs) {
      advance(s, minuteStart)
      s.closedThroughMs = minuteStart
    }
    s.sawInSession = true
    s.lastLtt = ltt
    s.lastLtp = ltp
    s.lastVol = vol
    let dv = 0
    if (vol >= 0) {
      if (s.hwm < 0) s.hwm = vol
      else if (vol > s.hwm) {
        dv = vol - s.hwm
        s.hwm = vol
      } else if (vol < s.hwm) stats.volumeRegressions++
    }
    const oi = tick.oi ?? -1
    if (!m1.active) {
      m1.active = true
      m1.day = s.day
      m1.index = (minuteStart - s.sessOpenMs) / MINUTE_MS
      m1.openMs = minuteStart
      m1.endMs = Math.min(minuteStart + MINUTE_MS, s.sessCloseMs)
      m1.open = ltp
      m1.high = ltp
      m1.low = ltp
      m1.close = ltp
      m1.volume = dv
      m1.oi = oi
      s.closeLtt = ltt
      s.closeVol = vol
    } else {
      if (ltp > m1.high) m1.high = ltp
      if (ltp < m1.low) m1.low = ltp
      m1.volume += dv
      // The close is the price of the latest trade by exchange time; at equal ltt, the larger cumulative volume.
      if (ltt > s.closeLtt || (ltt === s.closeLtt && vol >= s.closeVol)) {
        m1.close = ltp
        s.closeLtt = ltt
        s.closeVol = vol
        if (oi >= 0) m1.oi = oi
      }
    }
    stats.accepted++
    return take()
  }

  const flush = (untilMs: number): readonly BarDraft[] => {
    for (const s of instruments.values()) {
      advance(s, untilMs)
      if (s.hasSession && s.day >= 0) {
        const through =
          untilMs >= s.sessCloseMs
            ? s.sessCloseMs
            : untilMs <= s.sessOpenMs
              ? s.closedThroughMs
              : s.sessOpenMs + Math.floor((untilMs - s.sessOpenMs) / MINUTE_MS) * MINUTE_MS
        if (through > s.closedThroughMs) s.closedThroughMs = through
      }
    }
    return take()
  }

  const onEvent = (e: EventDraft): readonly BarDraft[] => {
    switch (e.type) {
      case 'TickReceived':
        return onTick(e.payload)
      case 'TimerFired':
      case 'SessionPhaseChanged':
        return flush(e.ts)
      default:
        return EMPTY
    }
  }

  const snapshot = (): BarAggregatorSnapshot =>
    structuredClone({ version: 1 as const, timeframes, instruments: [...instruments.values()], stats })

  return { onTick, flush, onEvent, stats, snapshot }
}

/** Batch convenience: folds all ticks, then flushes everything. Equal to streaming the same ticks. */
export const barsFromTicks = (ticks: Iterable<BarTick>, options: BarAggregatorOptions): readonly BarDraft[] => {
  const agg = createBarAggregator(options)
  const bars: BarDraft[] = []
  for (const t of ticks) for (const b of agg.onTick(t)) bars.push(b)
  for (const b of agg.flush(Number.POSITIVE_INFINITY)) bars.push(b)
  return bars
}
