import * as t from 'io-ts'
import { InstrumentKey, StrategyId } from '../ids/index.js'
import { PricePaise, Qty } from '../money/index.js'

/**
 * What the strategy wants to hold next: a target, not an order; execution turns it into orders. `CANCEL` withdraws
 * the strategy's working orders in the instrument (a resting limit or stop it no longer wants) and asks for nothing.
 */
export const SignalIntent = t.keyof({ LONG: null, SHORT: null, FLAT: null, CANCEL: null })
export type SignalIntent = t.TypeOf<typeof SignalIntent>

/** The order types a signal may ask for instead of the default MARKET. */
export const SignalOrderType = t.keyof({ LIMIT: null, SL: null, 'SL-M': null })
export type SignalOrderType = t.TypeOf<typeof SignalOrderType>

export const SignalMetadata = t.record(t.string, t.union([t.number, t.string, t.boolean]))
export type SignalMetadata = t.TypeOf<typeof SignalMetadata>

export const SignalEmitted = t.type({
  type: t.literal('SignalEmitted'),
  payload: t.intersection([
    t.type({
      strategyId: StrategyId,
      instrumentKey: InstrumentKey,
      intent: SignalIntent,
      /** Confidence in [0, 1]. */
      confidence: t.refinement(t.number, (n) => n >= 0 && n <= 1, 'Confidence'),
      /** Human-readable: why the strategy wants this ("fast SMA 10 crossed above slow SMA 30"). */
      reason: t.string,
    }),
    t.partial({
      qty: Qty,
      metadata: SignalMetadata,
      /** How to reach the target; absent: MARKET. LIMIT needs `limitPricePaise`, SL both prices, SL-M the trigger. */
      orderType: SignalOrderType,
      limitPricePaise: PricePaise,
      triggerPricePaise: PricePaise,
    }),
  ]),
})
export type SignalEmitted = t.TypeOf<typeof SignalEmitted>

export const ExitKind = t.keyof({
  'stop-loss': null,
  'take-profit': null,
  'trailing-stop': null,
  'square-off': null,
  'opposing-signal': null,
  // A resting exit filled past flat (live, both legs of a stop and target filled before the other's cancel landed):
  // what is past flat is flattened at once.
  overfill: null,
})
export type ExitKind = t.TypeOf<typeof ExitKind>

/** An exit rule fired for a strategy's position: the reason, and the price it fired at. */
export const ExitTriggered = t.type({
  type: t.literal('ExitTriggered'),
  payload: t.type({
    strategyId: StrategyId,
    instrumentKey: InstrumentKey,
    exit: ExitKind,
    reason: t.string,
    pricePaise: t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'PricePaise'),
  }),
})
export type ExitTriggered = t.TypeOf<typeof ExitTriggered>
