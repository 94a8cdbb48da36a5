import type { TradingCalendar } from '../../domain/calendar/index.js'
import { DAY_MS, IST_OFFSET_MS, istDateOf, istDayNumber, MINUTE_MS } from '../../domain/time/index.js'
import { BAR_FLAGS, type BarFlagName } from '../marketStore/index.js'
import type { LineBar, RowIssue } from './importTypes.js'

// The checks on rows that parsed: OHLC consistency, duplicate timestamps within the file, prices off the tick grid,
// and bars outside the session. Pure: returns the issues and the flag bits per row; changes no row.

export interface InspectOptions {
  /**
   * An instrument's tick in paise; undefined skips the check (index values have no tick). Asked once per run of
   * bars of one series, not per bar.
   */
  readonly tickPaise: (instrumentKey: string) => number | undefined
  /** The NSE calendar; without it the regular session 09:15-15:30 on weekdays is assumed. */
  readonly calendar: TradingCalendar | undefined
}

export interface Inspection {
  readonly issues: readonly RowIssue[]
  /** `BAR_FLAGS` bits of each bar's own issues, same order as the input. */
  readonly flags: Int32Array
  /**
   * Bars that a later bar of the file repeats (same series and start), by index, with the later bars' lines. The
   * later bars carry the `duplicateTimestamp` issue; the first is the one a `flag` import keeps (see applyPolicy.ts).
   */
  readonly repeated: ReadonlyMap<number, readonly number[]>
}

const fmt = (p: number) => (p / 100).toFixed(2)

const sessionBounds = (
  date: string,
  epochMs: number,
  calendar: TradingCalendar | undefined,
): { open: number; close: number } | undefined => {
  if (calendar !== undefined) {
    const s = calendar.sessionOn(date)
    return s === undefined ? undefined : { open: s.openSec / 60, close: s.closeSec / 60 }
  }
  const wd = new Date(epochMs + 19_800_000).getUTCDay()
  return wd === 0 || wd === 6 ? undefined : { open: 555, close: 930 }
}

const addIssue = (
  issues: RowIssue[],
  flags: Int32Array,
  i: number,
  line: number,
  kind: BarFlagName,
  detail: string,
): void => {
  issues.push({ line, kind, detail })
  flags[i] = (flags[i] as number) | BAR_FLAGS[kind]
}

/**
 * Per series (instrument and timeframe), what a duplicate check needs. Files come in time order, so a start above the
 * series' latest cannot repeat an earlier one and costs one comparison; only a start at or below it (a file out of
 * order, or a real duplicate) builds the lookup of earlier starts, once, from the bars before it (which, all above
 * their predecessors until then, are distinct). Nothing is recorded per row until then.
 */
interface SeriesStarts {
  readonly instrumentKey: string
  readonly timeframe: string
  latest: number
  /** Start -> index of the first bar with that start. */
  byOpen: Map<number, number> | undefined
  /** The series' tick (`InspectOptions.tickPaise`), 0 for none. */
  readonly tick: number
}

/** The index of the earlier bar with bar `i`'s start, if any; records bar `i`'s start. */
const firstIndexAt = (s: SeriesStarts, bars: readonly LineBar[], i: number): number | undefined => {
  const b = bars[i] as LineBar
  if (b.openMs > s.latest) {
    s.latest = b.openMs
    if (s.byOpen !== undefined) s.byOpen.set(b.openMs, i)
    return undefined
  }
  if (s.byOpen === undefined) {
    s.byOpen = new Map()
    for (let k = 0; k < i; k++) {
      const e = bars[k] as LineBar
      if (e.instrumentKey === s.instrumentKey && e.timeframe === s.timeframe && !s.byOpen.has(e.openMs)) {
        s.byOpen.set(e.openMs, k)
      }
    }
  }
  const first = s.byOpen.get(b.openMs)
  if (first === undefined) s.byOpen.set(b.openMs, i)
  return first
}

const hhmm = (m: number): string => `${`${Math.floor(m / 60)}`.padStart(2, '0')}:${`${m % 60}`.padStart(2, '0')}`

export const inspectBars = (bars: readonly LineBar[], opts: InspectOptions): Inspection => {
  const issues: RowIssue[] = []
  const flags = new Int32Array(bars.length)
  const repeated = new Map<number, number[]>()
  const seen = new Map<string, SeriesStarts>()
  // Session bounds per IST day number, computed once per day; the last day is kept at hand.
  const sessions = new Map<number, { open: number; close: number } | null>()
  let lastKey = ''
  let lastTf = ''
  let starts: SeriesStarts | undefined
  let lastDay = Number.NaN
  let session: { open: number; close: number } | null = null
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i] as LineBar
    const { openPaise: o, highPaise: h, lowPaise: l, closePaise: c } = b
    if (l > h || l > Math.min(o, c) || h < Math.max(o, c) || l <= 0) {
      addIssue(issues, flags, i, b.line, 'ohlcViolation', `open ${fmt(o)} high ${fmt(h)} low ${fmt(l)} close ${fmt(c)}`)
    }
    if (starts === undefined || b.instrumentKey !== lastKey || b.timeframe !== lastTf) {
      lastKey = b.instrumentKey
      lastTf = b.timeframe
      const series = `${b.instrumentKey} ${b.timeframe}`
      starts = seen.get(series)
      if (starts === undefined) {
        const t = opts.tickPaise(lastKey)
        // A 1-paisa tick (or none) cannot be missed by integer paise: no check.
        const tick = t !== undefined && t > 1 ? t : 0
        starts = {
          instrumentKey: lastKey,
          timeframe: lastTf,
          latest: Number.NEGATIVE_INFINITY,
          byOpen: undefined,
          tick,
        }
        seen.set(series, starts)
      }
    }
    const first = firstIndexAt(starts, bars, i)
    if (first !== undefined) {
      const firstLine = (bars[first] as LineBar).line
      addIssue(issues, flags, i, b.line, 'duplicateTimestamp', `same bar start as line ${firstLine}`)
      const later = repeated.get(first)
      if (later === undefined) repeated.set(first, [b.line])
      else later.push(b.line)
    }
    const tick = starts.tick
    if (tick !== 0 && (o % tick !== 0 || h % tick !== 0 || l % tick !== 0 || c % tick !== 0)) {
      addIssue(issues, flags, i, b.line, 'offTick', `a price is not a multiple of the ${fmt(tick)} tick`)
    }
    const day = istDayNumber(b.openMs)
    if (day !== lastDay) {
      let s = sessions.get(day)
      if (s === undefined) {
        s = sessionBounds(istDateOf(b.openMs), b.openMs, opts.calendar) ?? null
        sessions.set(day, s)
      }
      lastDay = day
      session = s
    }
    if (session === null)
      addIssue(issues, flags, i, b.line, 'outsideSession', `${istDateOf(b.openMs)} is not a trading day`)
    else if (b.timeframe !== '1d') {
      // Minutes since IST midnight from the day number at hand: `istMinuteOfDay` without its two float modulos.
      const m = Math.floor((b.openMs + IST_OFFSET_MS - day * DAY_MS) / MINUTE_MS)
      if (m < session.open || m >= session.close) {
        addIssue(issues, flags, i, b.line, 'outsideSession', `bar at ${hhmm(m)} IST is outside the session`)
      }
    }
  }
  return { issues, flags, repeated }
}
