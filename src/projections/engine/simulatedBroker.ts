import type { Envelope, EventDraft } from '../../domain/events/index.js'
import type { TradingState } from '../state/index.js'

// The simulated broker's order handling: it accepts every submitted order, and cancels or modifies working orders on
// request. A modification applies at once (the latency model delays orders becoming live, not their changes).
// Matching against prices (fill models, slippage, latency, partial fills, charges) is in simulator.ts.

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

/** OrderModifyRequested -> OrderModified for an order still working and not being cancelled, else OrderModifyRejected. */
export const modifyRequested = (
  s: TradingState,
  e: Envelope<Extract<Envelope, { type: 'OrderModifyRequested' }>>,
): EventDraft[] => {
  const { orderId, limitPricePaise, triggerPricePaise } = e.payload
  const o = s.orders.working.get(orderId)
  const meta = { ts: e.ts, causationId: e.seq, correlationId: orderId }
  if (o === undefined || o.status === 'pending_cancel') {
    const status = s.orders.orders.get(orderId)?.status ?? 'unknown'
    return [draft({ type: 'OrderModifyRejected', ...meta, payload: { orderId, reason: `the order is ${status}` } })]
  }
  const payload: Extract<EventDraft, { type: 'OrderModified' }>['payload'] = { orderId }
  if (limitPricePaise !== undefined) payload.limitPricePaise = limitPricePaise
  if (triggerPricePaise !== undefined) payload.triggerPricePaise = triggerPricePaise
  return [draft({ type: 'OrderModified', ...meta, payload })]
}

/** Shared empty result: most events decide nothing, and allocating an array for that on every tick adds up. */
export const NO_EVENTS: readonly EventDraft[] = Object.freeze([])
