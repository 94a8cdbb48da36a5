import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Envelope, EventDraft } from '../../domain/events/index.js'
import { createStrategyRegistry, streakStrategy } from '../../domain/strategies/index.js'
import { istMinuteOfDay } from '../../domain/time/index.js'
import {
  numbered,
  orderAccepted,
  orderFilled,
  orderRequested,
  orderSubmitted,
  RELIANCE,
  STREAK_A,
  STREAK_B,
  T0,
} from '../orders/orderBook.fixtures.js'
import {
  barClosed,
  barsClosingAt,
  killSwitchEngaged,
  MINUTE,
  runStarted,
  strategyConfigured,
  streakEngine,
} from './engine.fixtures.js'
import type { EngineState } from './engine.js'
import { fromEngineSnapshot, serializeEngineState, toEngineSnapshot } from './engineSnapshot.js'

// A restored engine must decide exactly as the one that took the snapshot. Where several orders or strategies are
// asked in turn, that includes their order: a snapshot keeps it (it is a function of the journal, so the bytes are
// still canonical).

const config = { strategies: createStrategyRegistry([streakStrategy]) }
const engine = streakEngine()

const folded = (journal: readonly Envelope[]): EngineState => {
  const s = engine.initialState()
  for (const e of journal) engine.step(s, e)
  return s
}

const restored = (s: EngineState): EngineState => {
  const r = fromEngineSnapshot(config, JSON.parse(serializeEngineState(s)))
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}

/** The decisions of the next event, from the live state and from its restored snapshot. */
const decideBoth = (history: readonly EventDraft[], next: EventDraft) => {
  const journal = numbered([...history, next])
  const head = journal.slice(0, -1)
  const event = journal.at(-1)!
  const live = folded(head)
  const copy = restored(live)
  return { live: engine.step(live, event).decisions, restored: engine.step(copy, event).decisions }
}

describe('given a snapshot taken and restored through JSON', () => {
  it('working orders are walked in request order, not id order (a kill switch cancels them in the same order)', () => {
    const working = (id: string): EventDraft[] => [
      orderRequested({ orderId: id }),
      orderSubmitted(id),
      orderAccepted(id),
    ]
    const { live, restored: fromSnapshot } = decideBoth(
      [runStarted(), ...working('run-1-9'), ...working('run-1-10')],
      killSwitchEngaged('global'),
    )
    expect(live.map((d) => d.correlationId)).toEqual(['run-1-9', 'run-1-10'])
    expect(fromSnapshot).toEqual(live)
  })

  it('strategies are asked in configuration order, not id order (their signals come out in the same order)', () => {
    const bars = barsClosingAt(RELIANCE, [100_00, 101_00])
    const { live, restored: fromSnapshot } = decideBoth(
      [
        runStarted(),
        strategyConfigured({ strategyId: STREAK_B, params: { bars: 1 } }),
        strategyConfigured({ strategyId: STREAK_A, params: { bars: 1 } }),
        bars[0]!,
      ],
      bars[1]!,
    )
    expect(live.map((d) => d.type === 'SignalEmitted' && d.payload.strategyId)).toEqual([STREAK_B, STREAK_A])
    expect(fromSnapshot).toEqual(live)
  })

  it('exits fire in tracking order, not position-key order (two strategies squared off on one bar)', () => {
    const at1520 = T0 + (15 * 60 + 20 - istMinuteOfDay(T0)) * MINUTE
    const { live, restored: fromSnapshot } = decideBoth(
      [
        runStarted(),
        strategyConfigured({ strategyId: STREAK_B }),
        strategyConfigured({ strategyId: STREAK_A }),
        orderFilled({ orderId: 'run-1-1', strategyId: STREAK_B, fillQty: 5 }),
        orderFilled({ orderId: 'run-1-2', strategyId: STREAK_A, fillQty: 5 }),
      ],
      barClosed(RELIANCE, { open: 122_000, close: 122_100 }, at1520),
    )
    const exits = live.filter((d) => d.type === 'ExitTriggered')
    expect(exits.map((d) => d.type === 'ExitTriggered' && d.payload.strategyId)).toEqual([STREAK_B, STREAK_A])
    expect(fromSnapshot).toEqual(live)
  })

  it('the restored state serializes to the same bytes', () => {
    const s = folded(
      numbered([runStarted(), strategyConfigured(), ...barsClosingAt(RELIANCE, [100_00, 101_00, 102_00, 103_00])]),
    )
    expect(serializeEngineState(restored(s))).toBe(serializeEngineState(s))
  })
})

describe('restoring refuses', () => {
  it('a snapshot holding a strategy kind that is not registered', () => {
    const s = folded(numbered([runStarted(), strategyConfigured()]))
    const other = { strategies: createStrategyRegistry([]) }
    expect(fromEngineSnapshot(other, toEngineSnapshot(s))).toEqual(
      E.left('snapshot holds strategy kind "streak", which is not registered'),
    )
  })

  it('something that is not an engine snapshot', () => {
    expect(E.isLeft(fromEngineSnapshot(config, { version: 2 }))).toBe(true)
    expect(E.isLeft(fromEngineSnapshot(config, null))).toBe(true)
  })
})
