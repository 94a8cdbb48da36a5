import * as t from 'io-ts'
import { InstrumentKey, OrderId, StrategyId } from '../ids/index.js'
import { Paise, PricePaise, Qty } from '../money/index.js'

// One event per lifecycle fact, subject first, past tense. `OrderDenied` is our own risk check (the order never
// left the process); `OrderRejected` is the broker's or exchange's refusal. `OrderFilled` describes one fill.

export const Side = t.keyof({ BUY: null, SELL: null })
export type Side = t.TypeOf<typeof Side>
export const OrderType = t.keyof({ MARKET: null, LIMIT: null, SL: null, 'SL-M': null })
export type OrderType = t.TypeOf<typeof OrderType>
/** Upstox products: `I` intraday (MIS), `D` delivery (CNC), `MTF` margin trading. */
export const Product = t.keyof({ I: null, D: null, MTF: null })
export type Product = t.TypeOf<typeof Product>
export const Validity = t.keyof({ DAY: null, IOC: null })
export type Validity = t.TypeOf<typeof Validity>

const orderRef = { orderId: OrderId }

/** What our own risk check says of a refused order, or of a refused move of one: the rule, why, value and limit. */
const denialOf = t.intersection([
  t.type({ ...orderRef, rule: t.string, reason: t.string }),
  t.partial({ value: t.number, limit: t.number }),
])

/** The prices a modification asks for, and the venue confirms: the ones that change. */
const newPrices = t.partial({ limitPricePaise: PricePaise, triggerPricePaise: PricePaise })

/**
 * The exit a resting protective order stands for (docs/exits.md, "Resting exits"): the engine places it when a
 * position opens, as an SL-M (stop loss) or LIMIT (take profit) for the whole position, and cancels the other when one
 * fills. It only ever reduces the position, so it is not counted as the strategy's pending quantity.
 */
export const ProtectiveExit = t.keyof({ 'stop-loss': null, 'take-profit': null })
export type ProtectiveExit = t.TypeOf<typeof ProtectiveExit>

export const OrderRequested = t.type({
  type: t.literal('OrderRequested'),
  payload: t.intersection([
    t.type({
      orderId: OrderId,
      strategyId: StrategyId,
      instrumentKey: InstrumentKey,
      side: Side,
      qty: Qty,
      orderType: OrderType,
      product: Product,
      validity: Validity,
      reason: t.string,
    }),
    t.partial({ limitPricePaise: PricePaise, triggerPricePaise: PricePaise, protects: ProtectiveExit }),
  ]),
})
export type OrderRequested = t.TypeOf<typeof OrderRequested>

export const OrderDenied = t.type({ type: t.literal('OrderDenied'), payload: denialOf })
export type OrderDenied = t.TypeOf<typeof OrderDenied>

/** Passed every risk rule and handed to the broker (simulated or Upstox). */
export const OrderSubmitted = t.type({
  type: t.literal('OrderSubmitted'),
  payload: t.type({ ...orderRef, venue: t.string }),
})
export type OrderSubmitted = t.TypeOf<typeof OrderSubmitted>

export const OrderAccepted = t.type({
  type: t.literal('OrderAccepted'),
  payload: t.type({ ...orderRef, brokerOrderId: t.string }),
})
export type OrderAccepted = t.TypeOf<typeof OrderAccepted>

export const OrderRejected = t.type({
  type: t.literal('OrderRejected'),
  payload: t.intersection([t.type({ ...orderRef, reason: t.string }), t.partial({ brokerStatus: t.string })]),
})
export type OrderRejected = t.TypeOf<typeof OrderRejected>

/**
 * A status report from the broker, with its raw status string (Upstox: `open`, `trigger pending`,
 * `modify pending`, ...). The order state machine maps every such string to one state.
 */
export const OrderUpdated = t.type({
  type: t.literal('OrderUpdated'),
  payload: t.intersection([
    t.type({ ...orderRef, brokerStatus: t.string }),
    t.partial({ brokerOrderId: t.string, statusMessage: t.string }),
  ]),
})
export type OrderUpdated = t.TypeOf<typeof OrderUpdated>

export const OrderCancelRequested = t.type({
  type: t.literal('OrderCancelRequested'),
  payload: t.type({ ...orderRef, reason: t.string }),
})
export type OrderCancelRequested = t.TypeOf<typeof OrderCancelRequested>

export const OrderCancelled = t.type({
  type: t.literal('OrderCancelled'),
  payload: t.intersection([t.type(orderRef), t.partial({ reason: t.string })]),
})
export type OrderCancelled = t.TypeOf<typeof OrderCancelled>

/** One fill: this fill's quantity and price (never a running total) and the charges on it. */
export const OrderFilled = t.type({
  type: t.literal('OrderFilled'),
  payload: t.type({
    orderId: OrderId,
    tradeId: t.string,
    strategyId: StrategyId,
    instrumentKey: InstrumentKey,
    side: Side,
    fillQty: Qty,
    fillPricePaise: PricePaise,
    feesPaise: t.refinement(Paise, (n) => n >= 0, 'NonNegativePaise'),
  }),
})
export type OrderFilled = t.TypeOf<typeof OrderFilled>

export const OrderExpired = t.type({
  type: t.literal('OrderExpired'),
  payload: t.intersection([t.type(orderRef), t.partial({ reason: t.string })]),
})
export type OrderExpired = t.TypeOf<typeof OrderExpired>

/**
 * A change to a working order's prices, asked for by the engine: a resting trailing stop's trigger following the best
 * price (docs/exits.md). The order keeps working at its old prices until the venue confirms (`OrderModified`).
 */
export const OrderModifyRequested = t.type({
  type: t.literal('OrderModifyRequested'),
  payload: t.intersection([t.type({ ...orderRef, reason: t.string }), newPrices]),
})
export type OrderModifyRequested = t.TypeOf<typeof OrderModifyRequested>

/** The venue took the change: the order works at these prices from here on. */
export const OrderModified = t.type({
  type: t.literal('OrderModified'),
  payload: t.intersection([t.type(orderRef), newPrices]),
})
export type OrderModified = t.TypeOf<typeof OrderModified>

/**
 * A strategy's move of its order's price that our own risk rules refuse (the price decides the notional): the order
 * works on at its old prices, and nothing reaches the venue. Like `OrderDenied`, it names the rule, value and limit.
 */
export const OrderModifyDenied = t.type({ type: t.literal('OrderModifyDenied'), payload: denialOf })
export type OrderModifyDenied = t.TypeOf<typeof OrderModifyDenied>

/** The venue (or the simulated broker) refused the change: the order works on at its old prices. */
export const OrderModifyRejected = t.type({
  type: t.literal('OrderModifyRejected'),
  payload: t.type({ ...orderRef, reason: t.string }),
})
export type OrderModifyRejected = t.TypeOf<typeof OrderModifyRejected>
