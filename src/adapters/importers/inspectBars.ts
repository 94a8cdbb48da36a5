import type { TradingCalendar } from '../../domain/calendar/index.js'
import { istDateOf, istDayNumber, istMinuteOfDay } from '../../domain/time/index.js'
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

export const inspectBars = (bars: readonly LineBar[], opts: InspectOptions): Inspection => {
  const issues: RowIssue[] = []
  const flags = new Int32Array(bars.length)
  // Per instrument and timeframe, the line of the first bar at each start (numbers, not strings: this is per row).
  const seen = new Map<string, Map<number, number>>()
  // Session bounds per IST day number, computed once per day.
  const sessions = new Map<number, { open: number; close: number } | null>()
  let lastKey = ''
  let lastTf = ''
  let starts = new Map<number, number>()
  const tick = opts.tickPaise !== undefined && opts.tickPaise > 1 ? opts.tickPaise : 0
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i] as LineBar
    const add = (kind: BarFlagName, detail: string) => addIssue(issues, flags, i, b.line, kind, detail)
    const { openPaise: o, highPaise: h, lowPaise: l, closePaise: c } = b
    if (l > h || l > Math.min(o, c) || h < Math.max(o, c) || l <= 0) {
      add('ohlcViolation', `open ${fmt(o)} high ${fmt(h)} low ${fmt(l)} close ${fmt(c)}`)
    }
    if (b.instrumentKey !== lastKey || b.timeframe !== lastTf) {
      lastKey = b.instrumentKey
      lastTf = b.timeframe
      const series = `${b.instrumentKey} ${b.timeframe}`
      const known = seen.get(series)
      starts = known ?? new Map<number, number>()
      if (known === undefined) seen.set(series, starts)
    }
    const first = starts.get(b.openMs)
    if (first !== undefined) add('duplicateTimestamp', `same bar start as line ${first}`)
    else starts.set(b.openMs, b.line)
    if (tick !== 0 && (o % tick !== 0 || h % tick !== 0 || l % tick !== 0 || c % tick !== 0)) {
      add('offTick', `a price is not a multiple of the ${fmt(tick)} tick`)
    }
    const day = istDayNumber(b.openMs)
    let s = sessions.get(day)
    if (s === undefined) {
      s = sessionBounds(istDateOf(b.openMs), b.openMs, opts.calendar) ?? null
      sessions.set(day, s)
    }
    if (s === null) add('outsideSession', `${istDateOf(b.openMs)} is not a trading day`)
    else if (b.timeframe !== '1d') {
      const m = istMinuteOfDay(b.openMs)
      if (m < s.open || m >= s.close) {
        add(
          'outsideSession',
          `bar at ${`${Math.floor(m / 60)}`.padStart(2, '0')}:${`${m % 60}`.padStart(2, '0')} IST is outside the session`,
        )
      }
    }
  }
  return { issues, flags }
}
