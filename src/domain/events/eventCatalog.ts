import * as t from 'io-ts'
import { Seq } from '../ids/index.js'
import { BarClosed, FeedStatusChanged, SessionPhaseChanged, TickReceived, TimerFired } from './marketEvents.js'
import {
  OrderAccepted,
  OrderCancelled,
  OrderCancelRequested,
  OrderDenied,
  OrderExpired,
  OrderFilled,
  OrderModified,
  OrderModifyDenied,
  OrderModifyRejected,
  OrderModifyRequested,
  OrderRejected,
  OrderRequested,
  OrderSubmitted,
  OrderUpdated,
} from './orderEvents.js'
import { KillSwitchEngaged, KillSwitchReleased, RiskLimitBreached, RiskLimitsConfigured } from './riskEvents.js'
import { type BrokerKind, RunEnded, RunStarted, SimulatorConfigured, StrategyConfigured } from './runEvents.js'
import { ExitTriggered, SignalEmitted } from './signalEvents.js'

/** Every event bahi records: a plain union dispatched on `type` (io-ts finds the tag by itself). */
export const DomainEvent = t.union([
  TickReceived,
  BarClosed,
  FeedStatusChanged,
  SessionPhaseChanged,
  TimerFired,
  SignalEmitted,
  OrderRequested,
  OrderDenied,
  OrderSubmitted,
  OrderAccepted,
  OrderRejected,
  OrderUpdated,
  OrderCancelRequested,
  OrderCancelled,
  OrderFilled,
  OrderExpired,
  RiskLimitBreached,
  KillSwitchEngaged,
  KillSwitchReleased,
  StrategyConfigured,
  RunStarted,
  RunEnded,
  // Append new types here only: the binary journal numbers JSON event types by their place in this list.
  RiskLimitsConfigured,
  SimulatorConfigured,
  ExitTriggered,
  OrderModifyRequested,
  OrderModified,
  OrderModifyRejected,
  OrderModifyDenied,
])
export type DomainEvent = t.TypeOf<typeof DomainEvent>
export type EventType = DomainEvent['type']
export type EventOfType<K extends EventType> = Extract<DomainEvent, { type: K }>

/** Every event type, in a fixed order (the binary journal encoding numbers them by this list; append only). */
export const EVENT_TYPES: readonly EventType[] = DomainEvent.types.map((c) => c.props.type.value)

const EpochMs = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'EpochMs')

const EnvelopeMeta = t.intersection([
  t.type({ seq: Seq, ts: EpochMs }),
  t.partial({ causationId: Seq, correlationId: t.string }),
])

/**
 * A journal entry. `seq` is assigned by the journal (gap-free, the replay order); `ts` is event time in epoch ms
 * (exchange time for market data); `causationId` is the seq of the event that caused this one, so any trade can be
 * walked back to its bar; `correlationId` ties a lifecycle together (the order id for order events).
 */
export const Envelope = t.intersection([DomainEvent, EnvelopeMeta])
export type Envelope<E extends DomainEvent = DomainEvent> = E & {
  readonly seq: Seq
  readonly ts: number
  readonly causationId?: Seq
  readonly correlationId?: string
}

/** An event before the journal has numbered it. */
export type EventDraft<E extends DomainEvent = DomainEvent> = E & {
  readonly ts: number
  readonly causationId?: Seq
  readonly correlationId?: string
}

export const EventDraftCodec = t.intersection([
  DomainEvent,
  t.type({ ts: EpochMs }),
  t.partial({ causationId: Seq, correlationId: t.string }),
])

export type EventOrigin = 'input' | 'decision'

/**
 * Inputs come from the world and are replayed as recorded; decisions are derived by the engine and must be
 * re-derived identically on replay. Broker events are decisions only when the broker is the in-loop simulator.
 */
export const eventOrigin = (e: DomainEvent, broker: BrokerKind): EventOrigin => {
  switch (e.type) {
    case 'TickReceived':
    case 'BarClosed':
    case 'FeedStatusChanged':
    case 'SessionPhaseChanged':
    case 'TimerFired':
    case 'StrategyConfigured':
    case 'RiskLimitsConfigured':
    case 'SimulatorConfigured':
    case 'RunStarted':
    case 'RunEnded':
      return 'input'
    case 'SignalEmitted':
    case 'ExitTriggered':
    case 'OrderRequested':
    case 'OrderDenied':
    case 'OrderSubmitted':
    case 'OrderCancelRequested':
    case 'OrderModifyRequested':
    case 'OrderModifyDenied':
    case 'RiskLimitBreached':
      return 'decision'
    case 'KillSwitchEngaged':
    case 'KillSwitchReleased':
      return e.payload.source === 'rule' ? 'decision' : 'input'
    case 'OrderAccepted':
    case 'OrderRejected':
    case 'OrderUpdated':
    case 'OrderCancelled':
    case 'OrderFilled':
    case 'OrderExpired':
    case 'OrderModified':
    case 'OrderModifyRejected':
      return broker === 'simulated' ? 'decision' : 'input'
    default:
      return absurd(e)
  }
}

/** Exhaustiveness guard: a new event type that is not handled fails the type check here. */
export const absurd = (x: never): never => {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`)
}
