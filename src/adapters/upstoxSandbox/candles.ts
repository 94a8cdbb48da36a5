import * as E from 'fp-ts/lib/Either.js'
import { DAY_MS, IST_OFFSET_MS, istDateOf, istMidnight } from '../../domain/time/index.js'
import type { MarketReplay, MinuteBar } from './marketReplay.js'
import { type ApiError, ERR } from './restEnvelope.js'

// Historical candles, v2 (`1minute|30minute|day|week|month`) and v3 (`minutes` 1-300, `hours` 1-5,
// `days|weeks|months` 1), aggregated from the replayed 1-minute bars: whole past sessions and the completed minutes
// of today. Rows are `[timestamp+05:30, open, high, low, close, volume, oi]`, newest first.

type Bucket = { readonly kind: 'minutes'; readonly n: number } | { readonly kind: 'days' | 'weeks' | 'months' }

const V2_INTERVALS: Readonly<Record<string, Bucket>> = {
  '1minute': { kind: 'minutes', n: 1 },
  '30minute': { kind: 'minutes', n: 30 },
  day: { kind: 'days' },
  week: { kind: 'weeks' },
  month: { kind: 'months' },
}

export const parseV2Interval = (interval: string): E.Either<ApiError, Bucket> => {
  const b = V2_INTERVALS[interval]
  return b === undefined
    ? E.left(ERR.invalidInput('interval', interval, 'Invalid interval: use 1minute, 30minute, day, week or month'))
    : E.right(b)
}

export const parseV3Interval = (unit: string, interval: string): E.Either<ApiError, Bucket> => {
  const n = /^\d{1,3}$/.test(interval) ? Number(interval) : Number.NaN
  switch (unit) {
    case 'minutes':
      return n >= 1 && n <= 300 ? E.right({ kind: 'minutes', n }) : E.left(ERR.invalidInput('interval', interval))
    case 'hours':
      return n >= 1 && n <= 5 ? E.right({ kind: 'minutes', n: n * 60 }) : E.left(ERR.invalidInput('interval', interval))
    case 'days':
    case 'weeks':
    case 'months':
      return n === 1 ? E.right({ kind: unit }) : E.left(ERR.invalidInput('interval', interval))
    default:
      return E.left(ERR.invalidInput('unit', unit, 'Invalid unit: use minutes, hours, days, weeks or months'))
  }
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`)
const candleTime = (ms: number): string => {
  const d = new Date(ms + IST_OFFSET_MS)
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}` +
    `T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}+05:30`
  )
}

const bucketStart = (b: Bucket, openMs: number, sessionOpenMs: number): number => {
  const date = istDateOf(openMs)
  const midnight = istMidnight(date) ?? openMs
  switch (b.kind) {
    case 'minutes':
      return sessionOpenMs + Math.floor((openMs - sessionOpenMs) / (b.n * 60_000)) * b.n * 60_000
    case 'days':
      return midnight
    case 'weeks': {
      const weekday = new Date(midnight + IST_OFFSET_MS).getUTCDay()
      return midnight - ((weekday + 6) % 7) * DAY_MS
    }
    case 'months':
      return istMidnight(`${date.slice(0, 8)}01`) ?? midnight
  }
}

export const aggregateCandles = (bars: readonly MinuteBar[], b: Bucket): (string | number)[][] => {
  const rows: (string | number)[][] = []
  let cur: { start: number; o: number; h: number; l: number; c: number; v: number } | undefined
  let sessionOpenMs = 0
  let sessionDate = ''
  const flush = () => {
    if (cur !== undefined)
      rows.push([candleTime(cur.start), cur.o / 100, cur.h / 100, cur.l / 100, cur.c / 100, cur.v, 0])
  }
  for (const bar of bars) {
    const date = istDateOf(bar.openMs)
    if (date !== sessionDate) {
      sessionDate = date
      sessionOpenMs = bar.openMs
    }
    const start = bucketStart(b, bar.openMs, sessionOpenMs)
    if (cur === undefined || cur.start !== start) {
      flush()
      cur = { start, o: bar.open, h: bar.high, l: bar.low, c: bar.close, v: bar.volume }
    } else {
      if (bar.high > cur.h) cur.h = bar.high
      if (bar.low < cur.l) cur.l = bar.low
      cur.c = bar.close
      cur.v += bar.volume
    }
  }
  flush()
  return rows.reverse()
}

const DATE = /^\d{4}-\d{2}-\d{2}$/

/** Candles between two IST dates (inclusive); without `from`, the 30 days up to `to`. */
export const historicalCandles = (
  market: MarketReplay,
  instrumentKey: string,
  bucket: Bucket,
  toDate: string,
  fromDate: string | undefined,
): E.Either<ApiError, { candles: (string | number)[][] }> => {
  if (market.instruments.every((i) => i.instrumentKey !== instrumentKey))
    return E.left(ERR.invalidInstrument(instrumentKey))
  const to = DATE.test(toDate) ? istMidnight(toDate) : undefined
  if (to === undefined) return E.left(ERR.invalidInput('to_date', toDate, 'Invalid date format: use yyyy-mm-dd'))
  const from = fromDate === undefined ? to - 30 * DAY_MS : DATE.test(fromDate) ? istMidnight(fromDate) : undefined
  if (from === undefined) return E.left(ERR.invalidInput('from_date', fromDate, 'Invalid date format: use yyyy-mm-dd'))
  if (from > to) return E.left(ERR.invalidInput('from_date', fromDate, 'from_date must not be after to_date'))
  // Today's session is served by the intraday endpoint only.
  const today = istMidnight(market.replayDate()) ?? Number.POSITIVE_INFINITY
  const bars = market.completedBars(instrumentKey, from, Math.min(to + DAY_MS, today))
  return E.right({ candles: aggregateCandles(bars, bucket) })
}

export const intradayCandles = (
  market: MarketReplay,
  instrumentKey: string,
  bucket: Bucket,
): E.Either<ApiError, { candles: (string | number)[][] }> => {
  if (market.instruments.every((i) => i.instrumentKey !== instrumentKey))
    return E.left(ERR.invalidInstrument(instrumentKey))
  const today = istMidnight(market.replayDate()) ?? 0
  return E.right({ candles: aggregateCandles(market.completedBars(instrumentKey, today, today + DAY_MS), bucket) })
}
