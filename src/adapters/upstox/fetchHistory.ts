import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Timeframe } from '../../domain/events/index.js'
import { addIstDays, istMidnight } from '../../domain/time/index.js'
import type { BrokerError } from './brokerErrors.js'
import type { CandleRow } from './responseCodecs.js'
import type { UpstoxRest } from './upstoxRest.js'

// Historical candles for a date range through the v3 API, one request per chunk the API allows for the interval
// (Upstox: up to a month of 1-15 minute candles, a quarter of larger minute and hour candles, a decade of daily
// ones), every request through the rate limiter. Chunks are fetched oldest first; each answer is newest first, so the
// result is reversed per chunk into one oldest-first list.

export interface HistoryInterval {
  readonly name: string
  /** The market store's timeframe for these candles. */
  readonly timeframe: Timeframe
  readonly unit: 'minutes' | 'hours' | 'days'
  readonly interval: number
  /** The largest date span (in days, inclusive) of one request. */
  readonly chunkDays: number
}

/** The intervals that map onto the market store's timeframes. */
export const HISTORY_INTERVALS: Readonly<Record<string, HistoryInterval>> = {
  '1minute': { name: '1minute', timeframe: '1m', unit: 'minutes', interval: 1, chunkDays: 28 },
  '3minute': { name: '3minute', timeframe: '3m', unit: 'minutes', interval: 3, chunkDays: 28 },
  '5minute': { name: '5minute', timeframe: '5m', unit: 'minutes', interval: 5, chunkDays: 28 },
  '15minute': { name: '15minute', timeframe: '15m', unit: 'minutes', interval: 15, chunkDays: 28 },
  '30minute': { name: '30minute', timeframe: '30m', unit: 'minutes', interval: 30, chunkDays: 89 },
  '1hour': { name: '1hour', timeframe: '1h', unit: 'hours', interval: 1, chunkDays: 89 },
  day: { name: 'day', timeframe: '1d', unit: 'days', interval: 1, chunkDays: 3650 },
}

export interface DateChunk {
  readonly from: string
  readonly to: string
}

const DATE = /^\d{4}-\d{2}-\d{2}$/

/** Splits [from, to] (IST dates, inclusive) into consecutive chunks of at most `chunkDays` days, oldest first. */
export const dateChunks = (from: string, to: string, chunkDays: number): E.Either<string, readonly DateChunk[]> => {
  if (!DATE.test(from) || istMidnight(from) === undefined) return E.left(`--from "${from}" is not a date (YYYY-MM-DD)`)
  if (!DATE.test(to) || istMidnight(to) === undefined) return E.left(`--to "${to}" is not a date (YYYY-MM-DD)`)
  if (from > to) return E.left(`--from ${from} is after --to ${to}`)
  const out: DateChunk[] = []
  let start: string | undefined = from
  while (start !== undefined && start <= to) {
    const endCandidate: string = addIstDays(start, chunkDays - 1) ?? to
    const end = endCandidate < to ? endCandidate : to
    out.push({ from: start, to: end })
    start = addIstDays(end, 1)
  }
  return E.right(out)
}

export interface FetchedHistory {
  /** Oldest first. */
  readonly candles: readonly CandleRow[]
  readonly requests: number
}

export const fetchHistory =
  (
    rest: UpstoxRest,
    q: {
      readonly instrumentKey: string
      readonly from: string
      readonly to: string
      readonly interval: HistoryInterval
    },
    onChunk?: (chunk: DateChunk, candles: number) => void,
  ): TE.TaskEither<BrokerError, FetchedHistory> =>
  async () => {
    const chunks = dateChunks(q.from, q.to, q.interval.chunkDays)
    if (E.isLeft(chunks)) return E.left({ _tag: 'BrokerRequestInvalid', reason: chunks.left })
    const candles: CandleRow[] = []
    for (const c of chunks.right) {
      const r = await rest.candles(q.instrumentKey, q.interval.unit, q.interval.interval, c.to, c.from)()
      if (E.isLeft(r)) return r
      const rows = r.right.candles
      for (let i = rows.length - 1; i >= 0; i--) candles.push(rows[i] as CandleRow)
      onChunk?.(c, rows.length)
    }
    return E.right({ candles, requests: chunks.right.length })
  }
