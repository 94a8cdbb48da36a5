import type { TradingCalendar } from '../../domain/calendar/index.js'
import { DAY_MS, IST_OFFSET_MS, istDateOf, istDayNumber, MINUTE_MS } from '../../domain/time/index.js'
import { BAR_FLAGS, type BarFlagName } from '../marketStore/index.js'
import type { LineBar, RowIssue } from './importTypes.js'

// The checks on rows that parsed: OHLC consistency, duplicate timestamps within the file, prices off the tick grid,
// and bars outside the session. Pure: returns the issues and the flag bits per row; changes no row.

export interface InspectOptions {
  /** The instrument's tick in paise; undefined skips the check (index values have no tick). */
  readonly tickPaise: number | undefined
  /** The NSE calendar; without it the regular session 09:15-15:30 on weekdays is assumed. */
  readonly calendar: TradingCalendar | undefined
}

export interface Inspection {
  readonly issues: readonly RowIssue[]
  /** `BAR_FLAGS` bits per bar, same order as the input. */
  readonly flags: Int32Array
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
  byOpen: Map<number, number> | undefined
}

/** The line of the earlier bar with bar `i`'s start, if any; records bar `i`'s start. */
const firstLineAt = (s: SeriesStarts, bars: readonly LineBar[], i: number): number | undefined => {
  const b = bars[i] as LineBar
  if (b.openMs > s.latest) {
    s.latest = b.openMs
    if (s.byOpen !== undefined) s.byOpen.set(b.openMs, b.line)
    return undefined
  }
  if (s.byOpen === undefined) {
    s.byOpen = new Map()
    for (let k = 0; k < i; k++) {
      const e = bars[k] as LineBar
      if (e.instrumentKey === s.instrumentKey && e.timeframe === s.timeframe) s.byOpen.set(e.openMs, e.line)
    }
  }
  const first = s.byOpen.get(b.openMs)
  if (first === undefined) s.byOpen.set(b.openMs, b.line)
  return first
}

const hhmm = (m: number): string => `${`${Math.floor(m / 60)}`.padStart(2, '0')}:${`${m % 60}`.padStart(2, '0')}`

export const inspectBars = (bars: readonly LineBar[], opts: InspectOptions): Inspection => {
  const issues: RowIssue[] = []
  const flags = new Int32Array(bars.length)
  const seen = new Map<string, SeriesStarts>()
  // Session bounds per IST day number, computed once per day; the last day is kept at hand.
  const sessions = new Map<number, { open: number; close: number } | null>()
  let lastKey = ''
  let lastTf = ''
  let starts: SeriesStarts | undefined
  let lastDay = Number.NaN
  let session: { open: number; close: number } | null = null
  const tick = opts.tickPaise !== undefined && opts.tickPaise > 1 ? opts.tickPaise : 0
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
        starts = { instrumentKey: lastKey, timeframe: lastTf, latest: Number.NEGATIVE_INFINITY, byOpen: undefined }
        seen.set(series, starts)
      }
    }
    const first = firstLineAt(starts, bars, i)
    if (first !== undefined) addIssue(issues, flags, i, b.line, 'duplicateTimestamp', `same bar start as line ${first}`)
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
  return { issues, flags }
}
