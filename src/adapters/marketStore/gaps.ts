import type { DuckDBConnection } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import type { TradingCalendar } from '../../domain/calendar/index.js'
import { DAY_MS, IST_OFFSET_MS, istDateOf, istMidnight } from '../../domain/time/index.js'
import { istDateSql } from './coverage.js'
import { type MarketStoreError, reasonOf } from './marketStoreErrors.js'
import { TABLES } from './schema.js'
import { sqlString } from './sqlLiteral.js'

// Gaps in the stored data against the NSE calendar, one report per instrument and series:
// - 1-minute bars: trading days with no bars, days with fewer bars than the session has minutes (and which minutes),
//   bars on days the calendar says were closed or outside the session, flagged bars per day;
// - daily bars: trading days with no bar, bars on closed days, flagged bars;
// - ticks: trading days with no tick, ticks on closed days, and holes inside a day's session longer than a threshold
//   (the session's open and close count as edges, so a feed that starts late or stops early shows too).
// The range is each instrument's own first..last date of that series unless the caller gives one.

export interface PartialDay {
  readonly date: string
  readonly expected: number
  readonly present: number
  /** IST `HH:MM` bar starts missing inside the session. */
  readonly missingMinutes: readonly string[]
}

export interface DayCount {
  readonly date: string
  readonly count: number
}

export interface MinuteGaps {
  readonly series: '1m'
  readonly instrumentKey: string
  readonly fromDate: string
  readonly toDate: string
  readonly tradingDays: number
  readonly daysWithBars: number
  readonly missingDays: readonly string[]
  readonly partialDays: readonly PartialDay[]
  readonly closedDaysWithBars: readonly string[]
  /** Bars outside the session on trading days (pre-open, post-close), per date. */
  readonly outsideSessionBars: readonly DayCount[]
  readonly flaggedBars: readonly DayCount[]
}

export interface DailyGaps {
  readonly series: '1d'
  readonly instrumentKey: string
  readonly fromDate: string
  readonly toDate: string
  readonly tradingDays: number
  readonly daysWithBars: number
  readonly missingDays: readonly string[]
  readonly closedDaysWithBars: readonly string[]
  readonly flaggedBars: readonly DayCount[]
}

/** A stretch of a trading day's session with no tick, longer than the threshold. */
export interface TickHole {
  readonly date: string
  /** IST `HH:MM:SS`: the last tick before the hole, or the session's open. */
  readonly from: string
  /** IST `HH:MM:SS`: the first tick after the hole, or the session's close. */
  readonly to: string
  readonly seconds: number
}

export interface TickGaps {
  readonly series: 'ticks'
  readonly instrumentKey: string
  readonly fromDate: string
  readonly toDate: string
  readonly tradingDays: number
  readonly daysWithTicks: number
  readonly ticks: number
  readonly missingDays: readonly string[]
  readonly closedDaysWithTicks: readonly string[]
  /** The threshold the holes were found with, in seconds. */
  readonly holeSeconds: number
  readonly holes: readonly TickHole[]
}

export type InstrumentGaps = MinuteGaps | DailyGaps | TickGaps

/** A hole in a day's ticks is reported when it is longer than this, unless the caller says otherwise. */
export const DEFAULT_TICK_HOLE_MS = 60_000

export interface GapOptions {
  readonly fromDate?: string
  readonly toDate?: string
  readonly instrumentKeys?: readonly string[]
  /** Report holes in a day's ticks longer than this many ms (default `DEFAULT_TICK_HOLE_MS`). */
  readonly tickHoleMs?: number
}

const pad2 = (n: number): string => `${n < 10 ? '0' : ''}${n}`
const hhmm = (minuteOfDay: number): string => `${pad2(Math.floor(minuteOfDay / 60))}:${pad2(minuteOfDay % 60)}`
const hhmmss = (epochMs: number): string => {
  const s = Math.floor(((((epochMs + IST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS) / 1000)
  return `${hhmm(Math.floor(s / 60))}:${pad2(s % 60)}`
}

interface DayRow {
  readonly key: string
  readonly date: string
  /** 1m: minutes of the day of the bars; otherwise empty. */
  readonly minutes: readonly number[]
  /** Flagged bars, or ticks, that day. */
  readonly count: number
}

const keyFilter = (opts: GapOptions): string =>
  opts.instrumentKeys && opts.instrumentKeys.length > 0
    ? ` AND instrument_key IN (${opts.instrumentKeys.map(sqlString).join(',')})`
    : ''

const byKey = (rows: readonly DayRow[]): Map<string, DayRow[]> => {
  const out = new Map<string, DayRow[]>()
  for (const r of rows) {
    const list = out.get(r.key) ?? []
    list.push(r)
    out.set(r.key, list)
  }
  return out
}

/**
 * One series' days of one instrument, over the requested range or its own first..last date, against the calendar:
 * the trading days of the range, those without data, and the closed days with data (every series reports these).
 */
const rangeOf = (days: readonly DayRow[], calendar: TradingCalendar, opts: GapOptions) => {
  const fromDate = opts.fromDate ?? (days[0] as DayRow).date
  const toDate = opts.toDate ?? (days[days.length - 1] as DayRow).date
  const inRange = days.filter((d) => d.date >= fromDate && d.date <= toDate)
  const present = new Map(inRange.map((d) => [d.date, d]))
  const trading = calendar.tradingDays(fromDate, toDate)
  const tradingSet = new Set(trading)
  return {
    fromDate,
    toDate,
    inRange,
    present,
    trading,
    missingDays: trading.filter((d) => !present.has(d)),
    closedDaysWithData: inRange.filter((d) => !tradingSet.has(d.date)).map((d) => d.date),
  }
}

const minuteGaps = (key: string, days: readonly DayRow[], calendar: TradingCalendar, opts: GapOptions): MinuteGaps => {
  const { fromDate, toDate, inRange, present, trading, missingDays, closedDaysWithData } = rangeOf(days, calendar, opts)
  const partialDays: PartialDay[] = []
  const outsideSessionBars: DayCount[] = []
  for (const date of trading) {
    const day = present.get(date)
    if (day === undefined) continue
    const session = calendar.sessionOn(date)
    if (session === undefined) continue
    const first = session.openSec / 60
    const last = session.closeSec / 60
    const have = new Set(day.minutes)
    const missing: string[] = []
    for (let m = first; m < last; m++) if (!have.has(m)) missing.push(hhmm(m))
    let outside = 0
    for (const m of day.minutes) if (m < first || m >= last) outside++
    if (missing.length > 0) {
      partialDays.push({
        date,
        expected: last - first,
        present: last - first - missing.length,
        missingMinutes: missing,
      })
    }
    if (outside > 0) outsideSessionBars.push({ date, count: outside })
  }
  return {
    series: '1m',
    instrumentKey: key,
    fromDate,
    toDate,
    tradingDays: trading.length,
    daysWithBars: inRange.length,
    missingDays,
    partialDays,
    closedDaysWithBars: closedDaysWithData,
    outsideSessionBars,
    flaggedBars: inRange.filter((d) => d.count > 0).map((d) => ({ date: d.date, count: d.count })),
  }
}

const dailyGaps = (key: string, days: readonly DayRow[], calendar: TradingCalendar, opts: GapOptions): DailyGaps => {
  const { fromDate, toDate, inRange, trading, missingDays, closedDaysWithData } = rangeOf(days, calendar, opts)
  return {
    series: '1d',
    instrumentKey: key,
    fromDate,
    toDate,
    tradingDays: trading.length,
    daysWithBars: inRange.length,
    missingDays,
    closedDaysWithBars: closedDaysWithData,
    flaggedBars: inRange.filter((d) => d.count > 0).map((d) => ({ date: d.date, count: d.count })),
  }
}

/** In-session tick holes longer than `thresholdMs`, per instrument, from the ticks table (one query). */
const tickHoles = async (
  conn: DuckDBConnection,
  calendar: TradingCalendar,
  days: readonly DayRow[],
  thresholdMs: number,
  opts: GapOptions,
): Promise<Map<string, TickHole[]>> => {
  const holes = new Map<string, TickHole[]>()
  const sessions = new Map<string, { day: number; open: number; close: number }>()
  for (const d of days) {
    const s = calendar.sessionOn(d.date)
    const midnight = istMidnight(d.date)
    if (s === undefined || midnight === undefined || sessions.has(d.date)) continue
    sessions.set(d.date, {
      day: (midnight + IST_OFFSET_MS) / DAY_MS,
      open: midnight + s.openSec * 1000,
      close: midnight + s.closeSec * 1000,
    })
  }
  if (sessions.size === 0) return holes
  const values = [...sessions.values()].map((s) => `(${s.day}, ${s.open}, ${s.close})`).join(', ')
  // Ticks inside each day's session, each with the one before it; the session's open and close stand in for the
  // ticks before the first and after the last, so a late start or an early stop is a hole like any other. A day with
  // ticks but none inside its session (only pre-open, say) has no `edges` row: one hole, open to close.
  const reader = await conn.runAndReadAll(
    `WITH s(day, o, c) AS (VALUES ${values}),
     t AS (SELECT instrument_key AS k, s.day, s.o, s.c, ltt_ms FROM ${TABLES.ticks}
           JOIN s ON (ltt_ms + ${IST_OFFSET_MS}) // ${DAY_MS} = s.day
           WHERE ltt_ms >= s.o AND ltt_ms < s.c${keyFilter(opts)}),
     edges AS (SELECT k, day, o, c, min(ltt_ms) AS first, max(ltt_ms) AS last FROM t GROUP BY k, day, o, c),
     inner_holes AS (SELECT k, day, prev AS a, ltt_ms AS b FROM (
         SELECT k, day, ltt_ms, lag(ltt_ms) OVER (PARTITION BY k, day ORDER BY ltt_ms) AS prev FROM t)
       WHERE ltt_ms - prev > ${thresholdMs})
     SELECT k, day, a, b, true FROM inner_holes
     UNION ALL SELECT k, day, o, first, true FROM edges WHERE first - o > ${thresholdMs}
     UNION ALL SELECT k, day, last, c, true FROM edges WHERE c - last > ${thresholdMs}
     UNION ALL SELECT k, day, 0, 0, false FROM edges
     ORDER BY 1, 3`,
  )
  const inSession = new Set<string>()
  const add = (key: string, date: string, a: number, b: number) => {
    const list = holes.get(key) ?? []
    list.push({ date, from: hhmmss(a), to: hhmmss(b), seconds: (b - a) / 1000 })
    holes.set(key, list)
  }
  for (const r of reader.getRowsJS()) {
    const key = String(r[0])
    const date = istDateOf(Number(r[1]) * DAY_MS - IST_OFFSET_MS)
    if (r[4] === true) add(key, date, Number(r[2]), Number(r[3]))
    else inSession.add(`${key} ${date}`)
  }
  for (const d of days) {
    const s = sessions.get(d.date)
    if (s !== undefined && !inSession.has(`${d.key} ${d.date}`) && s.close - s.open > thresholdMs) {
      add(d.key, d.date, s.open, s.close)
    }
  }
  for (const list of holes.values()) list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0))
  return holes
}

const tickGaps = (
  key: string,
  days: readonly DayRow[],
  holes: readonly TickHole[],
  thresholdMs: number,
  calendar: TradingCalendar,
  opts: GapOptions,
): TickGaps => {
  const { fromDate, toDate, inRange, trading, missingDays, closedDaysWithData } = rangeOf(days, calendar, opts)
  return {
    series: 'ticks',
    instrumentKey: key,
    fromDate,
    toDate,
    tradingDays: trading.length,
    daysWithTicks: inRange.length,
    ticks: inRange.reduce((n, d) => n + d.count, 0),
    missingDays,
    closedDaysWithTicks: closedDaysWithData,
    holeSeconds: thresholdMs / 1000,
    holes: holes.filter((h) => h.date >= fromDate && h.date <= toDate),
  }
}

const dayRows = async (conn: DuckDBConnection, sql: string, withMinutes: boolean): Promise<DayRow[]> => {
  const reader = await conn.runAndReadAll(sql)
  return reader.getRowsJS().map((r) => ({
    key: String(r[0]),
    date: String(r[1]),
    minutes: withMinutes ? (r[3] as unknown[]).map(Number) : [],
    count: Number(r[2]),
  }))
}

/** The reports of every instrument's 1-minute bars, then daily bars, then ticks (each in instrument-key order). */
export const gaps = async (
  conn: DuckDBConnection,
  calendar: TradingCalendar,
  opts: GapOptions = {},
): Promise<E.Either<MarketStoreError, InstrumentGaps[]>> => {
  const thresholdMs = opts.tickHoleMs ?? DEFAULT_TICK_HOLE_MS
  const keys = keyFilter(opts)
  try {
    const minutes = await dayRows(
      conn,
      `SELECT instrument_key, ${istDateSql('open_ms')} AS d, count(*) FILTER (WHERE flags <> 0),
         list(((open_ms + ${IST_OFFSET_MS}) % ${DAY_MS}) // 60000 ORDER BY open_ms)
       FROM ${TABLES.bars} WHERE timeframe = '1m'${keys} GROUP BY instrument_key, d ORDER BY instrument_key, d`,
      true,
    )
    const daily = await dayRows(
      conn,
      `SELECT instrument_key, ${istDateSql('open_ms')} AS d, count(*) FILTER (WHERE flags <> 0)
       FROM ${TABLES.bars} WHERE timeframe = '1d'${keys} GROUP BY instrument_key, d ORDER BY instrument_key, d`,
      false,
    )
    const tickDays = await dayRows(
      conn,
      `SELECT instrument_key, ${istDateSql('ltt_ms')} AS d, count(*)
       FROM ${TABLES.ticks} WHERE true${keys} GROUP BY instrument_key, d ORDER BY instrument_key, d`,
      false,
    )
    const inRange = tickDays.filter(
      (d) =>
        (opts.fromDate === undefined || d.date >= opts.fromDate) &&
        (opts.toDate === undefined || d.date <= opts.toDate),
    )
    const holes = await tickHoles(conn, calendar, inRange, thresholdMs, opts)
    return E.right([
      ...[...byKey(minutes)].map(([k, days]) => minuteGaps(k, days, calendar, opts)),
      ...[...byKey(daily)].map(([k, days]) => dailyGaps(k, days, calendar, opts)),
      ...[...byKey(tickDays)].map(([k, days]) => tickGaps(k, days, holes.get(k) ?? [], thresholdMs, calendar, opts)),
    ])
  } catch (e) {
    return E.left({ _tag: 'StoreQueryFailed', reason: reasonOf(e) })
  }
}

/** True when a report found something to fix (flagged bars alone are not gaps: they were kept on purpose). */
export const hasGaps = (g: InstrumentGaps): boolean => {
  switch (g.series) {
    case '1m':
      return g.missingDays.length + g.partialDays.length + g.closedDaysWithBars.length + g.outsideSessionBars.length > 0
    case '1d':
      return g.missingDays.length + g.closedDaysWithBars.length > 0
    case 'ticks':
      return g.missingDays.length + g.closedDaysWithTicks.length + g.holes.length > 0
  }
}
