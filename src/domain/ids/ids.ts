import * as t from 'io-ts'

// Branded ids: a checked string becomes a distinct type, so an OrderId can never be passed where an
// InstrumentKey is expected. The codecs are the only way in from outside.

/**
 * Upstox instrument keys: `SEGMENT|identifier`, e.g. `NSE_EQ|INE002A01018`, `NSE_INDEX|Nifty 50`. The identifier
 * may contain inner spaces but must not start or end with whitespace (a key read from a CRLF line with its `\r`
 * left on would otherwise pass and then never match the real key).
 */
const INSTRUMENT_KEY = /^[A-Z][A-Z0-9_]*\|[^|\s](?:[^|]*[^|\s])?$/
export interface InstrumentKeyBrand {
  readonly InstrumentKey: unique symbol
}
export const InstrumentKey = t.brand(
  t.string,
  (s): s is t.Branded<string, InstrumentKeyBrand> => s.length <= 64 && INSTRUMENT_KEY.test(s),
  'InstrumentKey',
)
export type InstrumentKey = t.TypeOf<typeof InstrumentKey>

const ORDER_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,39}$/
export interface OrderIdBrand {
  readonly OrderId: unique symbol
}
/** Our own order id (also sent to Upstox as the order `tag`, which allows at most 40 characters). */
export const OrderId = t.brand(t.string, (s): s is t.Branded<string, OrderIdBrand> => ORDER_ID.test(s), 'OrderId')
export type OrderId = t.TypeOf<typeof OrderId>

const STRATEGY_ID = /^[a-z0-9][a-z0-9_.-]{0,63}$/
export interface StrategyIdBrand {
  readonly StrategyId: unique symbol
}
/** A configured strategy instance, lower-case, e.g. `sma-cross.reliance`. */
export const StrategyId = t.brand(
  t.string,
  (s): s is t.Branded<string, StrategyIdBrand> => STRATEGY_ID.test(s),
  'StrategyId',
)
export type StrategyId = t.TypeOf<typeof StrategyId>

export interface SeqBrand {
  readonly Seq: unique symbol
}
/** A journal sequence number: assigned by the journal, gap-free, starting at 1. */
export const Seq = t.brand(t.Int, (n): n is t.Branded<t.Int, SeqBrand> => n >= 1, 'Seq')
export type Seq = t.TypeOf<typeof Seq>

/** For values already checked by construction (tests, generators, the journal's own counter). */
export const unsafe = {
  instrumentKey: (s: string) => s as InstrumentKey,
  orderId: (s: string) => s as OrderId,
  strategyId: (s: string) => s as StrategyId,
  seq: (n: number) => n as Seq,
} as const
