import * as E from 'fp-ts/lib/Either.js'
import { TIMEFRAME_MS, type Timeframe } from '../../domain/events/index.js'
import { IST_OFFSET_MS, istDateOf, MINUTE_MS } from '../../domain/time/index.js'
import { barFromText, type Roundings } from './barFields.js'
import { type LineBar, type ParsedFile, type ParseFailure, parseFailure } from './importTypes.js'
import { type ParseContext, resolveKey } from './parseContext.js'

// Upstox historical candles (v2 and v3 share the shape):
// `{"status":"success","data":{"candles":[["2025-01-02T09:15:00+05:30",o,h,l,c,volume,oi],…]}}`, newest first,
// start-labelled. The file does not name its instrument, so `--instrument` is required. The interval is read from
// the candles: daily candles carry IST midnight (stored as 1d, labelled 09:15); otherwise the smallest step between
// two candles of one day must be one of the store's timeframes. "Line" numbers are candle positions (1-based).

const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)$/

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

export const parseUpstoxCandlesJson = (text: string, ctx: ParseContext): E.Either<ParseFailure, ParsedFile> => {
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
  const allMidnight = instants.every((t) => (t + IST_OFFSET_MS) % 86_400_000 === 0)
  let timeframe: Timeframe = allMidnight ? '1d' : '1m'
  if (!allMidnight && instants.length > 1) {
    const sorted = [...instants].sort((a, b) => a - b)
    let step = Number.POSITIVE_INFINITY
    for (let i = 1; i < sorted.length; i++) {
      const d = (sorted[i] as number) - (sorted[i - 1] as number)
      if (d > 0 && d < step && istDateOf(sorted[i] as number) === istDateOf(sorted[i - 1] as number)) step = d
    }
    const tf = (Object.keys(TIMEFRAME_MS) as Timeframe[]).find((k) => TIMEFRAME_MS[k] === step && k !== '1d')
    if (tf === undefined && Number.isFinite(step)) {
      return E.left(parseFailure(1, `candle interval of ${step / MINUTE_MS} minutes is not a stored timeframe`))
    }
    timeframe = tf ?? '1m'
  }
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
