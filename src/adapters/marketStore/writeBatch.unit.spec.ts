import { describe, expect, it } from 'vitest'
import type { Timeframe } from '../../domain/events/index.js'
import type { BarRow } from './marketRows.js'
import { barSeries } from './writeBatch.js'

const RELIANCE = 'NSE_EQ|INE002A01018'
const TCS = 'NSE_EQ|INE467B01029'
const MINUTE = 60_000

const bar = (instrumentKey: string, openMs: number, timeframe: Timeframe = '1m'): BarRow => ({
  instrumentKey,
  timeframe,
  openMs,
  openPaise: 100,
  highPaise: 100,
  lowPaise: 100,
  closePaise: 100,
  volume: 0,
  oi: 0,
  flags: 0,
})

/** 09:15 IST of a 2025 date. */
const sessionOpen = (month: number, day: number): number =>
  Date.parse(`2025-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T09:15:00+05:30`)

/** One day's file of the equity set: `minutes` bars from 09:15. */
const dayFile = (key: string, month: number, day: number, minutes = 375): BarRow[] =>
  Array.from({ length: minutes }, (_, k) => bar(key, sessionOpen(month, day) + k * MINUTE))

const distinct = (bars: readonly BarRow[]): boolean => barSeries(bars).distinct

/** Files in the equity set's order: folder by folder, `DD-MM-YYYY.csv` names sorted, so day first. */
const dayFirst = (keys: readonly string[], days: readonly number[], months: readonly number[]): BarRow[] =>
  keys.flatMap((key) => days.flatMap((d) => months.flatMap((m) => dayFile(key, m, d))))

describe('barSeries', () => {
  it('recognises files that come day first (01-01, 01-04, 01-07, 02-01, ...) as distinct', () => {
    // A run carried on from 01-01 through 01-04 and 01-07 would overlap 02-01's.
    expect(distinct(dayFirst([RELIANCE, TCS], [1, 2, 3], [1, 4, 7]))).toBe(true)
  })

  it('still catches a key repeated across files that come day first', () => {
    const rows = dayFirst([RELIANCE], [1, 2, 3], [1, 4, 7])
    // 02-01's file carries one bar of 01-04 that 01-04's file already holds.
    const repeat = [...rows.slice(0, 4 * 375), bar(RELIANCE, sessionOpen(4, 1) + 30 * MINUTE), ...rows.slice(4 * 375)]
    expect(distinct(repeat)).toBe(false)
    // A whole day twice, far apart in the batch.
    expect(distinct([...rows, ...dayFile(RELIANCE, 1, 1)])).toBe(false)
  })

  it('catches a repeat at the edge of two runs, and a time written twice in a row', () => {
    const edge = [...dayFile(RELIANCE, 1, 2, 10), ...dayFile(RELIANCE, 1, 1, 10), bar(RELIANCE, sessionOpen(1, 2))]
    expect(distinct(edge)).toBe(false)
    const twice = dayFile(RELIANCE, 1, 1, 10)
    expect(distinct([...twice.slice(0, 5), twice[4] as BarRow, ...twice.slice(5)])).toBe(false)
  })

  it('keeps series apart: the same times under another instrument or timeframe are no repeat', () => {
    const day = dayFile(RELIANCE, 1, 1, 10)
    const other = day.map((b) => ({ ...b, instrumentKey: TCS }))
    const fiveMin = day.map((b) => ({ ...b, timeframe: '5m' as const }))
    expect(distinct([...day, ...other, ...fiveMin])).toBe(true)
    // Interleaved series whose runs end at every row are still told apart.
    expect(distinct(day.flatMap((b, k) => [b, other[k] as BarRow]))).toBe(true)
  })

  it('accepts daily bars across weekends and refuses a date given twice', () => {
    const days = [2, 3, 6, 7, 8, 9, 10, 13].map((d) => bar(RELIANCE, sessionOpen(1, d), '1d'))
    expect(distinct(days)).toBe(true)
    expect(distinct([...days, bar(RELIANCE, sessionOpen(1, 7), '1d')])).toBe(false)
  })

  it('gives each series its whole time range, whatever the order of its runs', () => {
    const rows = dayFirst([RELIANCE, TCS], [1, 2], [1, 4])
    const daily = bar(RELIANCE, sessionOpen(1, 3), '1d')
    expect(barSeries([...rows, daily]).ranges.map((r) => [r.values, r.lo, r.hi])).toEqual([
      [[RELIANCE, '1m'], sessionOpen(1, 1), sessionOpen(4, 2) + 374 * MINUTE],
      [[TCS, '1m'], sessionOpen(1, 1), sessionOpen(4, 2) + 374 * MINUTE],
      [[RELIANCE, '1d'], sessionOpen(1, 3), sessionOpen(1, 3)],
    ])
  })
})
