import { SAMPLE } from '../../domain/events/events.fixtures.js'
import type { Envelope, EventDraft, EventOfType, EventType, OrderType, Side } from '../../domain/events/index.js'
import { type InstrumentKey, type OrderId, type StrategyId, unsafe } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'

// Builders of order-event drafts for the projections' tests, with small defaults (a RELIANCE order of the streak
// strategy at 09:15 IST on 2025-01-02), and `numbered` to turn drafts into journal envelopes.

export const T0 = SAMPLE.barOpenMs
export const RELIANCE = unsafe.instrumentKey('NSE_EQ|INE002A01018')
export const INFY = unsafe.instrumentKey('NSE_EQ|INE009A01021')
export const STREAK_A = unsafe.strategyId('streak.a')
export const STREAK_B = unsafe.strategyId('streak.b')

export type Draft<K extends EventType> = EventDraft<EventOfType<K>>

export const oid = (s: string): OrderId => unsafe.orderId(s)

export interface OrderSpec {
  readonly orderId: string
  readonly strategyId?: StrategyId
  readonly instrumentKey?: InstrumentKey
  readonly side?: Side
  readonly qty?: number
  readonly orderType?: OrderType
  readonly reason?: string
}

export const orderRequested = (o: OrderSpec, ts = T0): Draft<'OrderRequested'> => ({
  type: 'OrderRequested',
  ts,
  correlationId: o.orderId,
  payload: {
    orderId: oid(o.orderId),
    strategyId: o.strategyId ?? STREAK_A,
    instrumentKey: o.instrumentKey ?? RELIANCE,
    side: o.side ?? 'BUY',
    qty: unsafeMoney.qty(o.qty ?? 10),
    orderType: o.orderType ?? 'MARKET',
    product: 'I',
    validity: 'DAY',
    reason: o.reason ?? 'test order',
  },
})

export const orderDenied = (orderId: string, rule: string, reason: string, ts = T0): Draft<'OrderDenied'> => ({
  type: 'OrderDenied',
  ts,
  correlationId: orderId,
  payload: { orderId: oid(orderId), rule, reason },
})

export const orderSubmitted = (orderId: string, ts = T0, venue = 'simulated'): Draft<'OrderSubmitted'> => ({
  type: 'OrderSubmitted',
  ts,
  correlationId: orderId,
  payload: { orderId: oid(orderId), venue },
})

export const orderAccepted = (orderId: string, ts = T0): Draft<'OrderAccepted'> => ({
  type: 'OrderAccepted',
  ts,
  correlationId: orderId,
  payload: { orderId: oid(orderId), brokerOrderId: `B-${orderId}` },
})

export const orderRejected = (
  orderId: string,
  reason: string,
  brokerStatus?: string,
  ts = T0,
): Draft<'OrderRejected'> => ({
  type: 'OrderRejected',
  ts,
  correlationId: orderId,
  payload:
    brokerStatus === undefined ? { orderId: oid(orderId), reason } : { orderId: oid(orderId), reason, brokerStatus },
})

export const orderUpdated = (
  orderId: string,
  brokerStatus: string,
  extra: { readonly brokerOrderId?: string; readonly statusMessage?: string } = {},
  ts = T0,
): Draft<'OrderUpdated'> => ({
  type: 'OrderUpdated',
  ts,
  correlationId: orderId,
  payload: { orderId: oid(orderId), brokerStatus, ...extra },
})

export const orderCancelRequested = (orderId: string, reason = 'cancel', ts = T0): Draft<'OrderCancelRequested'> => ({
  type: 'OrderCancelRequested',
  ts,
  correlationId: orderId,
  payload: { orderId: oid(orderId), reason },
})

export const orderCancelled = (orderId: string, reason = 'cancelled', ts = T0): Draft<'OrderCancelled'> => ({
  type: 'OrderCancelled',
  ts,
  correlationId: orderId,
  payload: { orderId: oid(orderId), reason },
})

export const orderExpired = (orderId: string, reason = 'expired', ts = T0): Draft<'OrderExpired'> => ({
  type: 'OrderExpired',
  ts,
  correlationId: orderId,
  payload: { orderId: oid(orderId), reason },
})

export interface FillSpec {
  readonly orderId: string
  readonly strategyId?: StrategyId
  readonly instrumentKey?: InstrumentKey
  readonly side?: Side
  readonly fillQty: number
  readonly fillPricePaise?: number
  readonly feesPaise?: number
  readonly tradeId?: string
}

export const orderFilled = (f: FillSpec, ts = T0): Draft<'OrderFilled'> => ({
  type: 'OrderFilled',
  ts,
  correlationId: f.orderId,
  payload: {
    orderId: oid(f.orderId),
    tradeId: f.tradeId ?? `${f.orderId}-T`,
    strategyId: f.strategyId ?? STREAK_A,
    instrumentKey: f.instrumentKey ?? RELIANCE,
    side: f.side ?? 'BUY',
    fillQty: unsafeMoney.qty(f.fillQty),
    fillPricePaise: unsafeMoney.price(f.fillPricePaise ?? 122305),
    feesPaise: unsafeMoney.paise(f.feesPaise ?? 0) as EventOfType<'OrderFilled'>['payload']['feesPaise'],
  },
})

/** Drafts numbered as a journal would number them, from `firstSeq`. */
export const orderModifyRequested = (
  orderId: string,
  prices: { readonly triggerPricePaise?: number; readonly limitPricePaise?: number },
  reason = 'move it',
  ts = T0,
): Draft<'OrderModifyRequested'> => ({
  type: 'OrderModifyRequested',
  ts,
  correlationId: orderId,
  payload: { orderId: oid(orderId), reason, ...pricesOf(prices) },
})

export const orderModified = (
  orderId: string,
  prices: { readonly triggerPricePaise?: number; readonly limitPricePaise?: number },
  ts = T0,
): Draft<'OrderModified'> => ({
  type: 'OrderModified',
  ts,
  correlationId: orderId,
  payload: { orderId: oid(orderId), ...pricesOf(prices) },
})

export const orderModifyRejected = (
  orderId: string,
  reason = 'not modified',
  ts = T0,
): Draft<'OrderModifyRejected'> => ({
  type: 'OrderModifyRejected',
  ts,
  correlationId: orderId,
  payload: { orderId: oid(orderId), reason },
})

const pricesOf = (p: { readonly triggerPricePaise?: number; readonly limitPricePaise?: number }) => ({
  ...(p.triggerPricePaise === undefined ? {} : { triggerPricePaise: unsafeMoney.price(p.triggerPricePaise) }),
  ...(p.limitPricePaise === undefined ? {} : { limitPricePaise: unsafeMoney.price(p.limitPricePaise) }),
})

export const numbered = (drafts: readonly EventDraft[], firstSeq = 1): Envelope[] =>
  drafts.map((d, i) => ({ ...d, seq: unsafe.seq(firstSeq + i) }) as Envelope)
