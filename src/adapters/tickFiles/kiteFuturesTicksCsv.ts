import * as E from 'fp-ts/lib/Either.js'
import { type InstrumentKey, unsafe } from '../../domain/ids/index.js'
import { type FuturesTickColumns, futuresTick, futuresTickText } from './futuresTick.js'
import { columnIndex } from './headerColumns.js'
import { linesOf, parseCount, parseStamp } from './tickFields.js'
import {
  KITE_SEGMENT_NFO,
  type LineProblem,
  type ParsedTicks,
  type TickDraft,
  type TickFileUnreadable,
} from './tickFileTypes.js'

// `futures-ticks-2025-12-29/kiteconnect_nifty_futures_ticks.csv`: Kite Connect snapshots (~1/s) with a header.
// Both `time` (the snapshot) and `last_trade_time` are UTC with an explicit `+00:00`. The tick's `lttMs` is
// `last_trade_time` (bars go by exchange trade time); the draft's `ts` is the snapshot `time`. `volume_traded` is
// the day's cumulative volume. Columns the app computed itself (aggressor_side, cvd_change, ...) are ignored.

const REQUIRED = [
  'time',
  'instrument_token',
  'last_price',
  'volume_traded',
  'oi',
  'last_traded_quantity',
  'last_trade_time',
  'bid_price_1',
  'bid_qty_1',
  'ask_price_1',
  'ask_qty_1',
] as const

const KITE_COLUMNS: FuturesTickColumns<(typeof REQUIRED)[number]> = {
  ltp: 'last_price',
  volume: 'volume_traded',
  ltq: 'last_traded_quantity',
  oi: 'oi',
  bidPrice: 'bid_price_1',
  bidQty: 'bid_qty_1',
  askPrice: 'ask_price_1',
  askQty: 'ask_qty_1',
}

export interface KiteTicksOptions {
  /** Overrides the key derived from `instrument_token` (`NSE_FO|<token >> 8>` for NFO tokens). */
  readonly instrumentKey?: InstrumentKey
}

/** `NSE_FO|<exchange token>` from a Kite NFO instrument token, or undefined for another segment. */
export const upstoxKeyFromKiteToken = (token: number): InstrumentKey | undefined =>
  token % 256 === KITE_SEGMENT_NFO ? unsafe.instrumentKey(`NSE_FO|${Math.floor(token / 256)}`) : undefined

export const parseKiteFuturesTicksCsv = (
  text: string,
  options: KiteTicksOptions = {},
): E.Either<TickFileUnreadable, ParsedTicks> => {
  const lines = linesOf(text)
  const header = columnIndex(lines[0], REQUIRED)
  if (E.isLeft(header)) return header
  const c = header.right
  const ticks: TickDraft[] = []
  const lineNos: number[] = []
  const rejections: LineProblem[] = []
  let rowsRead = 0
  let pricesRounded = 0
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line.trim() === '') continue
    rowsRead++
    const f = line.split(',')
    const reject = (reason: string) => rejections.push({ line: i + 1, reason })
    const at = (k: (typeof REQUIRED)[number]) => f[c[k]] ?? ''
    const ts = parseStamp(at('time'), 'UTC', 0)
    if (ts === undefined) {
      reject(`invalid UTC time "${at('time')}"`)
      continue
    }
    const ltt = parseStamp(at('last_trade_time'), 'UTC', 0)
    if (ltt === undefined) {
      reject(`invalid UTC last_trade_time "${at('last_trade_time')}"`)
      continue
    }
    let instrumentKey = options.instrumentKey
    if (instrumentKey === undefined) {
      const token = parseCount(at('instrument_token'))
      instrumentKey = token === undefined ? undefined : upstoxKeyFromKiteToken(token)
      if (instrumentKey === undefined) {
        reject(`instrument_token "${at('instrument_token')}" is not an NFO token; pass an instrument key`)
        continue
      }
    }
    const tick = futuresTick(instrumentKey, ts, ltt, futuresTickText(at, KITE_COLUMNS), KITE_COLUMNS)
    if (typeof tick === 'string') {
      reject(tick)
      continue
    }
    pricesRounded += tick.rounded
    ticks.push(tick.draft)
    lineNos.push(i + 1)
  }
  return E.right({
    format: 'kite-futures-ticks',
    rowsRead,
    ticks,
    lines: lineNos,
    rejections,
    skipped: [],
    pricesRounded,
  })
}
