import * as E from 'fp-ts/lib/Either.js'
import { type InstrumentKey, unsafe } from '../../domain/ids/index.js'
import type { Paise, PricePaise } from '../../domain/money/index.js'
import { columnIndex } from './headerColumns.js'
import { linesOf, parseCount, parsePaiseText, parseStamp } from './tickFields.js'
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
    const ltp = parsePaiseText(at('last_price'))
    if (ltp === undefined || ltp.paise <= 0) {
      reject(`invalid last_price "${at('last_price')}"`)
      continue
    }
    const volume = parseCount(at('volume_traded'))
    const ltq = parseCount(at('last_traded_quantity'))
    const oi = parseCount(at('oi'))
    if (volume === undefined || ltq === undefined || oi === undefined) {
      reject('volume_traded, last_traded_quantity and oi must be whole numbers')
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
    if (ltp.rounded) pricesRounded++
    const bid = parsePaiseText(at('bid_price_1'))
    const ask = parsePaiseText(at('ask_price_1'))
    const bidQty = parseCount(at('bid_qty_1'))
    const askQty = parseCount(at('ask_qty_1'))
    const payload: TickDraft['payload'] & { -readonly [K in 'bidPaise' | 'askPaise' | 'bidQty' | 'askQty']?: number } =
      {
        instrumentKey,
        ltpPaise: ltp.paise as PricePaise,
        lttMs: ltt,
        ltq,
        volume,
        oi,
      }
    if (bid !== undefined && bid.paise > 0 && bidQty !== undefined) {
      if (bid.rounded) pricesRounded++
      payload.bidPaise = bid.paise as Paise
      payload.bidQty = bidQty
    }
    if (ask !== undefined && ask.paise > 0 && askQty !== undefined) {
      if (ask.rounded) pricesRounded++
      payload.askPaise = ask.paise as Paise
      payload.askQty = askQty
    }
    ticks.push({ type: 'TickReceived', ts, payload })
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
