import * as E from 'fp-ts/lib/Either.js'
import { TIMEFRAME_MS, type Timeframe } from '../../domain/events/index.js'
import { DAY_MS, IST_OFFSET_MS, istDateOf, MINUTE_MS } from '../../domain/time/index.js'
import { barFromText, type Roundings } from './barFields.js'
import { type LineBar, type ParsedFile, type ParseFailure, parseFailure } from './importTypes.js'
import { type ParseContext, resolveKey } from './parseContext.js'

// Upstox historical candles (v2 and v3 share the shape):
// `{"status":"success","data":{"candles":[["2025-01-02T09:15:00+05:30",o,h,l,c,volume,oi],…]}}`, newest first,
// start-labelled. The file does not name its instrument, so `--instrument` is required. Neither does it name its
// interval: it is `--timeframe` when given, else read from the candles (see `candleTimeframe`), and the file is
// rejected when the candles' spacing does not fit it, rather than stored under a wrong timeframe (v3's weekly and
// monthly candles are IST midnights too, and would otherwise pass for daily bars). Daily candles are stored as 1d,
// labelled 09:15 IST. "Line" numbers are candle positions (1-based).

const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)$/

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

const isMidnight = (t: number): boolean => (t + IST_OFFSET_MS) % DAY_MS === 0

/** Daily candles closer than this are daily; a week or more between every two is weekly or monthly. */
const WEEK_MS = 7 * DAY_MS

const minutes = (ms: number): string => `${ms / MINUTE_MS} minute${ms === MINUTE_MS ? '' : 's'}`

/**
 * The timeframe of candles (`instants`, in file order), `given` or guessed, checked against their spacing.
 * Guessed: IST midnights are `1d` unless every two candles are a week or more apart; intraday candles take the
 * smallest step between two candles of one day, which must be a stored timeframe. Either way every step between
 * candles of one day must be a whole number of intervals (gaps are missing candles; equal stamps are left to the
 * duplicate check). One candle, or no two on one day, shows no interval: that needs `--timeframe`.
 */
export const candleTimeframe = (
  instants: readonly number[],
  given: Timeframe | undefined,
): E.Either<ParseFailure, Timeframe> => {
  const order = instants.map((_, i) => i).sort((a, b) => (instants[a] as number) - (instants[b] as number))
  const at = (k: number) => instants[order[k] as number] as number
  const lineOf = (k: number) => (order[k] as number) + 1
  const firstIntraday = instants.findIndex((t) => !isMidnight(t))
  const firstMidnight = instants.findIndex(isMidnight)
  if (given === '1d') {
    return firstIntraday < 0
      ? E.right('1d')
      : E.left(parseFailure(firstIntraday + 1, 'candle is not at IST midnight, so not a daily candle (--timeframe 1d)'))
  }
  if (given === undefined && firstIntraday < 0) {
    let step = Number.POSITIVE_INFINITY
    let stepAt = 1
    for (let k = 1; k < order.length; k++) {
      const d = at(k) - at(k - 1)
      if (d > 0 && d < step) [step, stepAt] = [d, k]
    }
    if (!Number.isFinite(step)) {
      return E.left(
        parseFailure(1, 'candles of one date only: their interval (day, week, month) cannot be read; pass --timeframe'),
      )
    }
    if (step >= WEEK_MS) {
      return E.left(
        parseFailure(
          lineOf(stepAt),
          `candles are ${Math.round(step / DAY_MS)} days apart at least: weekly or monthly candles, not a stored timeframe (pass --timeframe 1d if they are daily)`,
        ),
      )
    }
    return E.right('1d')
  }
  if (firstMidnight >= 0) {
    return E.left(
      parseFailure(
        firstMidnight + 1,
        given === undefined
          ? 'an IST-midnight (daily) candle among intraday ones'
          : `an IST-midnight (daily) candle is not a ${given} candle`,
      ),
    )
  }
  let step = given === undefined ? Number.POSITIVE_INFINITY : TIMEFRAME_MS[given]
  if (given === undefined) {
    for (let k = 1; k < order.length; k++) {
      const d = at(k) - at(k - 1)
      if (d > 0 && d < step && istDateOf(at(k)) === istDateOf(at(k - 1))) step = d
    }
    if (!Number.isFinite(step)) {
      return E.left(
        parseFailure(
          1,
          instants.length < 2
            ? 'one intraday candle: its interval cannot be read; pass --timeframe'
            : 'no two candles on one day: the interval cannot be read; pass --timeframe',
        ),
      )
    }
  }
  const tf = given ?? (Object.keys(TIMEFRAME_MS) as Timeframe[]).find((k) => TIMEFRAME_MS[k] === step && k !== '1d')
  if (tf === undefined) {
    return E.left(parseFailure(1, `candle interval of ${minutes(step)} is not a stored timeframe`))
  }
  for (let k = 1; k < order.length; k++) {
    const d = at(k) - at(k - 1)
    if (d > 0 && d % step !== 0 && istDateOf(at(k)) === istDateOf(at(k - 1))) {
      return E.left(
        parseFailure(lineOf(k), `candle is ${minutes(d)} after the one before: not a whole number of ${tf} intervals`),
      )
    }
  }
  return E.right(tf)
}

export const parseUpstoxCandlesJson = (
  text: string,
  ctx: ParseContext,
  given?: Timeframe,
): E.Either<ParseFailure, ParsedFile> => {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    return E.left(parseFailure(1, `not JSON: ${e instanceof Error ? e.message : String(e)}`))
  }
  const data = isRecord(doc) ? doc.data : undefined
  const candles = isRecord(data) ? data.candles : undefined
  if (!isRecord(doc) || doc.status !== 'success' || !Array.isArray(candles)) {
    return E.left(parseFailure(1, 'expected {"status":"success","data":{"candles":[…]}}'))
  }
  const key = resolveKey(ctx, undefined, 1)
  if (E.isLeft(key)) return key
  const instants: number[] = []
  for (let i = 0; i < candles.length; i++) {
    const c: unknown = candles[i]
    if (!Array.isArray(c) || c.length < 6 || c.length > 7) {
      return E.left(parseFailure(i + 1, 'a candle is [timestamp, open, high, low, close, volume, oi?]'))
    }
    const ts = c[0]
    const instant = typeof ts === 'string' && STAMP.test(ts) ? Date.parse(ts) : Number.NaN
    if (Number.isNaN(instant)) return E.left(parseFailure(i + 1, `invalid timestamp ${JSON.stringify(ts)}`))
    for (let k = 1; k < c.length; k++) {
      if (typeof c[k] !== 'number') return E.left(parseFailure(i + 1, `field ${k} is not a number`))
    }
    instants.push(instant)
  }
  if (candles.length === 0) {
    return E.right({
      format: 'upstox-candles-json',
      rowsRead: 0,
      bars: [],
      instruments: [],
      issues: [],
      floatNoiseRoundings: 0,
      ignoredRows: 0,
    })
  }
  const tf = candleTimeframe(instants, given)
  if (E.isLeft(tf)) return tf
  const timeframe = tf.right
  const roundings: Roundings = { n: 0 }
  const bars: LineBar[] = []
  // Oldest first, as every other format.
  for (let i = candles.length - 1; i >= 0; i--) {
    const c = candles[i] as number[]
    const openMs = timeframe === '1d' ? (instants[i] as number) + (9 * 60 + 15) * MINUTE_MS : (instants[i] as number)
    const bar = barFromText(
      i + 1,
      key.right,
      timeframe,
      openMs,
      [String(c[1]), String(c[2]), String(c[3]), String(c[4])],
      String(c[5]),
      c[6] === undefined ? '' : String(c[6]),
      roundings,
    )
    if (typeof bar === 'string') return E.left(parseFailure(i + 1, bar))
    bars.push(bar)
  }
  return E.right({
    format: 'upstox-candles-json',
    rowsRead: candles.length,
    bars,
    instruments: [],
    issues: [],
    floatNoiseRoundings: roundings.n,
    ignoredRows: 0,
  })
}
