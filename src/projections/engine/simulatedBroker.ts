import type { Envelope, EventDraft, OrderFilled } from '../../domain/events/index.js'
import type { Seq } from '../../domain/ids/index.js'
import type { OrderView } from '../orders/index.js'
import type { TradingState } from '../state/index.js'

// The simulated broker as a deterministic decider inside the engine loop, so a backtest is one pure fold. This is
// the minimal venue the foundation needs: it accepts every submitted order, fills working MARKET orders completely
// at the next price it sees for the instrument (the next bar's open, or the next tick's price), cancels on request,
// and charges nothing. Limit/stop orders, slippage, partial fills, latency and charges arrive with the backtest
// issue; they plug in here.

export const SIMULATED_VENUE = 'simulated'

const draft = <D extends EventDraft>(d: D): D => d

/** OrderSubmitted -> OrderAccepted. */
export const acceptSubmitted = (e: Envelope<Extract<Envelope, { type: 'OrderSubmitted' }>>): EventDraft[] => [
  draft({
    type: 'OrderAccepted',
    ts: e.ts,
    causationId: e.seq,
    correlationId: e.payload.orderId,
    payload: { orderId: e.payload.orderId, brokerOrderId: `SIM-${e.payload.orderId}` },
  }),
]

/** OrderCancelRequested -> OrderCancelled, for an order still working. */
export const cancelRequested = (
  s: TradingState,
  e: Envelope<Extract<Envelope, { type: 'OrderCancelRequested' }>>,
): EventDraft[] =>
  s.orders.working.has(e.payload.orderId)
    ? [
        draft({
          type: 'OrderCancelled',
          ts: e.ts,
          causationId: e.seq,
          correlationId: e.payload.orderId,
          payload: { orderId: e.payload.orderId, reason: e.payload.reason },
        }),
      ]
    : []

const isFillable = (o: OrderView, instrumentKey: string): boolean =>
  o.instrumentKey === instrumentKey &&
  o.orderType === 'MARKET' &&
  (o.status === 'open' || o.status === 'partially_filled')

/** Fills the working market orders of `instrumentKey` at `pricePaise`, in the order they were requested. */
export const fillAtPrice = (
  s: TradingState,
  instrumentKey: string,
  pricePaise: number,
  e: Envelope,
): readonly EventDraft[] => {
  if (s.orders.working.size === 0) return NO_EVENTS
  let out: EventDraft[] | undefined
  for (const o of s.orders.working.values()) {
    if (!isFillable(o, instrumentKey)) continue
    const payload: OrderFilled['payload'] = {
      orderId: o.orderId,
      tradeId: `${o.orderId}-T${e.seq}`,
      strategyId: o.strategyId,
      instrumentKey: o.instrumentKey,
      side: o.side,
      fillQty: (o.qty - o.filledQty) as OrderFilled['payload']['fillQty'],
      fillPricePaise: pricePaise as OrderFilled['payload']['fillPricePaise'],
      feesPaise: 0 as OrderFilled['payload']['feesPaise'],
    }
    // Caused by the order (its latest event), so `explain` walks fill <- order <- signal <- bar; the price event
    // that triggered it is named by the fill's time and trade id.
    ;(out ??= []).push(
      draft({ type: 'OrderFilled', ts: e.ts, causationId: o.lastSeq as Seq, correlationId: o.orderId, payload }),
    )
  }
  return out ?? NO_EVENTS
}

/** Shared empty result: most events decide nothing, and allocating an array for that on every tick adds up. */
export const NO_EVENTS: readonly EventDraft[] = Object.freeze([])
