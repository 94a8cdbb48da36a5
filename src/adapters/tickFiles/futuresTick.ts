import type { InstrumentKey } from '../../domain/ids/index.js'
import { type Paise, type PricePaise, parsePaise } from '../../domain/money/index.js'
import { parseCount } from './tickFields.js'
import type { TickDraft } from './tickFileTypes.js'

// The part both brokers' futures snapshots share once their own columns are picked out: last price, cumulative
// volume, last quantity and open interest (required), and the best bid and ask (kept only when both price and
// quantity read). Each broker's parser reads its own times and instrument and names its own columns in the reasons.

export interface FuturesTickText {
  readonly ltp: string
  readonly volume: string
  readonly ltq: string
  readonly oi: string
  readonly bidPrice: string
  readonly bidQty: string
  readonly askPrice: string
  readonly askQty: string
}

/** Which of a broker's columns holds each field (the names also go into the reasons). */
export type FuturesTickColumns<K extends string = string> = Readonly<Record<keyof FuturesTickText, K>>

/** A row's fields by the broker's column names (which must be among the columns the parser required). */
export const futuresTickText = <K extends string>(
  at: (column: K) => string,
  c: FuturesTickColumns<K>,
): FuturesTickText => ({
  ltp: at(c.ltp),
  volume: at(c.volume),
  ltq: at(c.ltq),
  oi: at(c.oi),
  bidPrice: at(c.bidPrice),
  bidQty: at(c.bidQty),
  askPrice: at(c.askPrice),
  askQty: at(c.askQty),
})

export interface FuturesTick {
  readonly draft: TickDraft
  /** Price fields of this row that were rounded to the paisa. */
  readonly rounded: number
}

/** The best bid or ask, when both its price (positive) and its quantity read. */
const bookSide = (price: string, qty: string): { paise: Paise; qty: number; rounded: boolean } | undefined => {
  const p = parsePaise(price)
  const q = parseCount(qty)
  return p === undefined || p.paise <= 0 || q === undefined
    ? undefined
    : { paise: p.paise as Paise, qty: q, rounded: p.rounded }
}

/** The tick draft of one snapshot row, or the reason the row cannot be read. */
export const futuresTick = (
  instrumentKey: InstrumentKey,
  tsMs: number,
  lttMs: number,
  text: FuturesTickText,
  names: FuturesTickColumns,
): FuturesTick | string => {
  const ltp = parsePaise(text.ltp)
  if (ltp === undefined || ltp.paise <= 0) return `invalid ${names.ltp} "${text.ltp}"`
  const volume = parseCount(text.volume)
  const ltq = parseCount(text.ltq)
  const oi = parseCount(text.oi)
  if (volume === undefined || ltq === undefined || oi === undefined) {
    return `${names.volume}, ${names.ltq} and ${names.oi} must be whole numbers`
  }
  let rounded = ltp.rounded ? 1 : 0
  const payload: TickDraft['payload'] & { -readonly [K in 'bidPaise' | 'askPaise' | 'bidQty' | 'askQty']?: number } = {
    instrumentKey,
    ltpPaise: ltp.paise as PricePaise,
    lttMs,
    ltq,
    volume,
    oi,
  }
  const bid = bookSide(text.bidPrice, text.bidQty)
  if (bid !== undefined) {
    if (bid.rounded) rounded++
    payload.bidPaise = bid.paise
    payload.bidQty = bid.qty
  }
  const ask = bookSide(text.askPrice, text.askQty)
  if (ask !== undefined) {
    if (ask.rounded) rounded++
    payload.askPaise = ask.paise
    payload.askQty = ask.qty
  }
  return { draft: { type: 'TickReceived', ts: tsMs, payload }, rounded }
}
