import type { Envelope, EventDraft } from '../../domain/events/index.js'
import type { TradingState } from '../state/index.js'

// The simulated broker's order handling: it accepts every submitted order and cancels working orders on request.
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

/** Shared empty result: most events decide nothing, and allocating an array for that on every tick adds up. */
export const NO_EVENTS: readonly EventDraft[] = Object.freeze([])
