import * as t from 'io-ts'
import { InstrumentKey } from '../ids/index.js'
import { Paise, PricePaise } from '../money/index.js'

// Market events are inputs: they come from the world (feed, store, timers) and are never re-derived on replay.

const NonNegInt = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'NonNegativeInt')
const EpochMs = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'EpochMs')

/** One trade print (or quote update) from the feed, with the exchange's last-trade time. */
export const TickReceived = t.type({
  type: t.literal('TickReceived'),
  payload: t.intersection([
    t.type({
      instrumentKey: InstrumentKey,
      ltpPaise: PricePaise,
      /** Exchange last-trade time: bars are built on this, never on arrival time. */
      lttMs: EpochMs,
      ltq: NonNegInt,
    }),
    t.partial({
      /** Cumulative traded volume for the day (`vtt`); only in `full` mode. */
      volume: NonNegInt,
      oi: NonNegInt,
      bidPaise: Paise,
      askPaise: Paise,
      bidQty: NonNegInt,
      askQty: NonNegInt,
    }),
  ]),
})
export type TickReceived = t.TypeOf<typeof TickReceived>

export const Timeframe = t.keyof({
  '1m': null,
  '3m': null,
  '5m': null,
  '15m': null,
  '30m': null,
  '1h': null,
  '1d': null,
})
export type Timeframe = t.TypeOf<typeof Timeframe>
/** Stable numeric codes for the binary journal encoding; never reorder. */
export const TIMEFRAMES: readonly Timeframe[] = ['1m', '3m', '5m', '15m', '30m', '1h', '1d']

/** A finished bar, labelled by its start time (IST-aligned to the session, 09:15 anchor). */
export const BarClosed = t.type({
  type: t.literal('BarClosed'),
  payload: t.intersection([
    t.type({
      instrumentKey: InstrumentKey,
      timeframe: Timeframe,
      openMs: EpochMs,
      openPaise: PricePaise,
      highPaise: PricePaise,
      lowPaise: PricePaise,
      closePaise: PricePaise,
      volume: NonNegInt,
    }),
    t.partial({
      oi: NonNegInt,
      /** The bar follows one or more minutes without trades (no bar was emitted for them). */
      afterGap: t.literal(true),
    }),
  ]),
})
export type BarClosed = t.TypeOf<typeof BarClosed>

export const FeedStatus = t.keyof({ connecting: null, connected: null, silent: null, reconnecting: null, closed: null })
export type FeedStatus = t.TypeOf<typeof FeedStatus>

export const FeedStatusChanged = t.type({
  type: t.literal('FeedStatusChanged'),
  payload: t.intersection([t.type({ feed: t.string, status: FeedStatus }), t.partial({ reason: t.string })]),
})
export type FeedStatusChanged = t.TypeOf<typeof FeedStatusChanged>

export const SessionPhase = t.keyof({ closed: null, pre_open: null, open: null, closing: null, post_close: null })
export type SessionPhase = t.TypeOf<typeof SessionPhase>

export const SessionPhaseChanged = t.type({
  type: t.literal('SessionPhaseChanged'),
  payload: t.type({ exchange: t.string, date: t.string, phase: SessionPhase }),
})
export type SessionPhaseChanged = t.TypeOf<typeof SessionPhaseChanged>

/** A scheduled wake-up (e.g. the 15:15 square-off), recorded so a replay sees the same time. */
export const TimerFired = t.type({
  type: t.literal('TimerFired'),
  payload: t.type({ timer: t.string }),
})
export type TimerFired = t.TypeOf<typeof TimerFired>
