import type { DuckDBConnection } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import type { TradingCalendar } from '../../domain/calendar/index.js'
import { IST_OFFSET_MS } from '../../domain/time/index.js'
import { istDateSql } from './coverage.js'
import { type MarketStoreError, reasonOf } from './marketStoreErrors.js'
import { TABLES } from './schema.js'

// Gaps in the 1-minute bars against the NSE calendar: trading days with no bars, days with fewer bars than the
// session has minutes (and which minutes), bars on days the calendar says were closed, and flagged bars per day.
// The range is each instrument's own first..last date unless the caller gives one.

export interface PartialDay {
  readonly date: string
  readonly expected: number
  readonly present: number
  /** IST `HH:MM` bar starts missing inside the session. */
  readonly missingMinutes: readonly string[]
}

export interface InstrumentGaps {
  readonly instrumentKey: string
  readonly fromDate: string
  readonly toDate: string
  readonly tradingDays: number
  readonly daysWithBars: number
  readonly missingDays: readonly string[]
  readonly partialDays: readonly PartialDay[]
  readonly closedDaysWithBars: readonly string[]
  /** Bars outside the session on trading days (pre-open, post-close), per date. */
  readonly outsideSessionBars: readonly { readonly date: string; readonly count: number }[]
  readonly flaggedBars: readonly { readonly date: string; readonly count: number }[]
}

export interface GapOptions {
  readonly fromDate?: string
  readonly toDate?: string
  readonly instrumentKeys?: readonly string[]
}

const hhmm = (minuteOfDay: number): string => {
  const h = Math.floor(minuteOfDay / 60)
  const m = minuteOfDay % 60
  return `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}`
}

interface DayRow {
  readonly key: string
  readonly date: string
  readonly minutes: readonly number[]
  readonly flagged: number
}

export const gaps = async (
  conn: DuckDBConnection,
  calendar: TradingCalendar,
  opts: GapOptions = {},
): Promise<E.Either<MarketStoreError, InstrumentGaps[]>> => {
  let rows: DayRow[]
  try {
    const keyFilter =
      opts.instrumentKeys && opts.instrumentKeys.length > 0
        ? ` AND instrument_key IN (${opts.instrumentKeys.map((k) => `'${k.replaceAll("'", "''")}'`).join(',')})`
        : ''
    const reader = await conn.runAndReadAll(
      `SELECT instrument_key, ${istDateSql('open_ms')} AS d,
         list(((open_ms + ${IST_OFFSET_MS}) % 86400000) // 60000 ORDER BY open_ms), count(*) FILTER (WHERE flags <> 0)
       FROM ${TABLES.bars} WHERE timeframe = '1m'${keyFilter} GROUP BY instrument_key, d ORDER BY instrument_key, d`,
    )
    rows = reader.getRowsJS().map((r) => ({
      key: String(r[0]),
      date: String(r[1]),
      minutes: (r[2] as unknown[]).map(Number),
      flagged: Number(r[3]),
    }))
  } catch (e) {
    return E.left({ _tag: 'StoreQueryFailed', reason: reasonOf(e) })
  }
  const byKey = new Map<string, DayRow[]>()
  for (const r of rows) {
    const list = byKey.get(r.key) ?? []
    list.push(r)
    byKey.set(r.key, list)
  }
  const out: InstrumentGaps[] = []
  for (const [key, days] of byKey) {
    const fromDate = opts.fromDate ?? (days[0] as DayRow).date
    const toDate = opts.toDate ?? (days[days.length - 1] as DayRow).date
    const inRange = days.filter((d) => d.date >= fromDate && d.date <= toDate)
    const present = new Map(inRange.map((d) => [d.date, d]))
    const trading = calendar.tradingDays(fromDate, toDate)
    const missingDays: string[] = []
    const partialDays: PartialDay[] = []
    const outsideSessionBars: { date: string; count: number }[] = []
    for (const date of trading) {
      const day = present.get(date)
      if (day === undefined) {
        missingDays.push(date)
        continue
      }
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
    const tradingSet = new Set(trading)
    out.push({
      instrumentKey: key,
      fromDate,
      toDate,
      tradingDays: trading.length,
      daysWithBars: inRange.length,
      missingDays,
      partialDays,
      closedDaysWithBars: inRange.filter((d) => !tradingSet.has(d.date)).map((d) => d.date),
      outsideSessionBars,
      flaggedBars: inRange.filter((d) => d.flagged > 0).map((d) => ({ date: d.date, count: d.flagged })),
    })
  }
  return E.right(out)
}
