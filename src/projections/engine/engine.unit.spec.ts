import { describe, expect, it } from 'vitest'
import type { Session } from '../../domain/calendar/index.js'
import type { EventDraft } from '../../domain/events/index.js'
import { unsafe } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import { createStrategyRegistry, defineStrategy, paramsWithDefaults } from '../../domain/strategies/index.js'
import { istInstant } from '../../domain/time/index.js'
import {
  type Draft,
  INFY,
  oid,
  orderAccepted,
  orderCancelRequested,
  orderFilled,
  orderRequested,
  orderSubmitted,
  RELIANCE,
  STREAK_A,
  STREAK_B,
  T0,
} from '../orders/orderBook.fixtures.js'
import { given } from './deciderSpec.js'
import {
  barClosed,
  barsClosingAt,
  cascadeJournal,
  killSwitchEngaged,
  killSwitchReleased,
  MINUTE,
  RUN_ID,
  runStarted,
  signalEmitted,
  strategyConfigured,
  streakEngine,
  tickReceived,
} from './engine.fixtures.js'
import { createEngine, type EngineConfig } from './engine.js'
import { DEFAULT_SIMULATOR_CONFIG } from './simulator.js'

const engine = streakEngine()
const seq = unsafe.seq

/** An order requested, submitted and accepted: working at the (simulated) venue. */
const workingOrder = (orderId: string, o: Parameters<typeof orderRequested>[0] = { orderId }): EventDraft[] => [
  orderRequested({ ...o, orderId }),
  orderSubmitted(orderId),
  orderAccepted(orderId),
]

/** The order a signal at `signalSeq` asks for: its id is the run and that seq. */
const expectedOrder = (
  signalSeq: number,
  side: 'BUY' | 'SELL',
  qty: number,
  reason: string,
): Draft<'OrderRequested'> => ({
  type: 'OrderRequested',
  ts: T0,
  causationId: seq(signalSeq),
  correlationId: `${RUN_ID}-${signalSeq}`,
  payload: {
    orderId: oid(`${RUN_ID}-${signalSeq}`),
    strategyId: STREAK_A,
    instrumentKey: RELIANCE,
    side,
    qty: unsafeMoney.qty(qty),
    orderType: 'MARKET',
    product: 'I',
    validity: 'DAY',
    reason,
  },
})

describe('strategies: a bar reaches the strategies configured for its instrument', () => {
  const bars = barsClosingAt(RELIANCE, [100_00, 101_00, 102_00, 101_00, 100_00])

  it('given one higher close, when a second higher close arrives, then streak (bars 2) signals LONG', () => {
    const bar = bars[2]!
    given(engine, [runStarted(), strategyConfigured({ params: { bars: 2, qty: 10 } })])
      .andStepped(bars.slice(0, 2))
      .when(bar) // seq 5
      .then([
        {
          type: 'SignalEmitted',
          ts: bar.ts,
          causationId: seq(5),
          payload: {
            strategyId: STREAK_A,
            instrumentKey: RELIANCE,
            intent: 'LONG',
            confidence: 1 as Draft<'SignalEmitted'>['payload']['confidence'],
            reason: '2 consecutive higher closes',
            qty: unsafeMoney.qty(10),
            metadata: { run: 2 },
          },
        },
      ])
  })

  it('given a long position and one lower close, when a second lower close arrives, then streak signals FLAT', () => {
    const bar = bars[4]!
    given(engine, [
      runStarted(),
      strategyConfigured({ params: { bars: 2, qty: 10 } }),
      orderFilled({ orderId: 'manual-1', fillQty: 10, fillPricePaise: 100_00 }),
    ])
      .andStepped(bars.slice(2, 4))
      .when(bar) // seq 6
      .then([
        {
          type: 'SignalEmitted',
          ts: bar.ts,
          causationId: seq(6),
          payload: {
            strategyId: STREAK_A,
            instrumentKey: RELIANCE,
            intent: 'FLAT',
            confidence: 1 as Draft<'SignalEmitted'>['payload']['confidence'],
            reason: '2 consecutive lower closes',
            metadata: { run: -2 },
          },
        },
      ])
  })

  it('given the streak is not yet long enough, then nothing happens', () => {
    given(engine, [runStarted(), strategyConfigured({ params: { bars: 3, qty: 10 } })])
      .andStepped(bars.slice(0, 2))
      .when(bars[2]!)
      .thenNothingHappened()
  })

  it('a bar of an instrument the strategy does not trade, or a disabled strategy, decides nothing', () => {
    const infyBars = barsClosingAt(INFY, [100_00, 101_00, 102_00])
    given(engine, [runStarted(), strategyConfigured({ params: { bars: 2, qty: 10 } })])
      .andStepped(infyBars.slice(0, 2))
      .when(infyBars[2]!)
      .thenNothingHappened()
    given(engine, [runStarted(), strategyConfigured({ params: { bars: 2, qty: 10 }, enabled: false })])
      .andStepped(bars.slice(0, 2))
      .when(bars[2]!)
      .thenNothingHappened()
  })

  it('given working orders and a signalling strategy, a bar decides the fills first, then the signal', () => {
    const bar = bars[2]!
    const out = given(engine, [
      runStarted(),
      strategyConfigured({ params: { bars: 2, qty: 10 } }),
      ...workingOrder('o1', { orderId: 'o1', strategyId: STREAK_B, qty: 3 }),
    ])
      .andStepped(bars.slice(0, 2))
      .when(bar)
    expect(out.decisions.map((d) => d.type)).toEqual(['OrderFilled', 'SignalEmitted'])
  })
})

describe('priced signals and CANCEL: a strategy rests limit and stop orders and withdraws them', () => {
  const priced = (
    o: Pick<Draft<'SignalEmitted'>['payload'], 'orderType' | 'limitPricePaise' | 'triggerPricePaise'>,
  ): Draft<'SignalEmitted'> => {
    const sig = signalEmitted({ intent: 'LONG', qty: 10, reason: 'breakout' })
    return { ...sig, payload: { ...sig.payload, ...o } }
  }

  it('given a flat position, when LONG 10 by SL-M at 1234.50, then a BUY 10 SL-M with that trigger', () => {
    const base = expectedOrder(2, 'BUY', 10, 'LONG 10 (held 0) by SL-M: breakout')
    given(engine, [runStarted()])
      .when(priced({ orderType: 'SL-M', triggerPricePaise: unsafeMoney.price(123_450) })) // seq 2
      .then([
        { ...base, payload: { ...base.payload, orderType: 'SL-M', triggerPricePaise: unsafeMoney.price(123_450) } },
      ])
  })

  it('given long 10, when FLAT by SL-M at 1200.00, then a resting SELL 10 stop: a protective stop that can fill inside a bar', () => {
    const given_ = given(engine, [runStarted(), ...workingOrder('o1'), orderFilled({ orderId: 'o1', fillQty: 10 })])
    const flat = signalEmitted({ intent: 'FLAT', reason: 'protect the entry' })
    const out = given_.when({
      ...flat,
      payload: { ...flat.payload, orderType: 'SL-M', triggerPricePaise: unsafeMoney.price(120_000) },
    })
    const base = expectedOrder(out.event.seq, 'SELL', 10, 'FLAT (held 10) by SL-M: protect the entry')
    out.then([
      { ...base, payload: { ...base.payload, orderType: 'SL-M', triggerPricePaise: unsafeMoney.price(120_000) } },
    ])
  })

  it('given a flat position, when LONG 10 by SL at 1234.50 limit 1236.00, then both prices are on the order', () => {
    const base = expectedOrder(2, 'BUY', 10, 'LONG 10 (held 0) by SL: breakout')
    const prices = { limitPricePaise: unsafeMoney.price(123_600), triggerPricePaise: unsafeMoney.price(123_450) }
    given(engine, [runStarted()])
      .when(priced({ orderType: 'SL', ...prices }))
      .then([{ ...base, payload: { ...base.payload, orderType: 'SL', ...prices } }])
  })

  it('given two working orders of the strategy and one of another, when CANCEL, then its two are asked to cancel', () => {
    const out = given(engine, [
      runStarted(),
      ...workingOrder('o1'),
      ...workingOrder('o2', { orderId: 'o2', strategyId: STREAK_B }),
      ...workingOrder('o3', { orderId: 'o3', orderType: 'LIMIT' }),
    ]).when(signalEmitted({ intent: 'CANCEL', reason: 'range broken the other way' })) // seq 11
    out.then(
      ['o1', 'o3'].map((orderId) => ({
        type: 'OrderCancelRequested' as const,
        ts: T0,
        causationId: seq(11),
        correlationId: orderId,
        payload: { orderId: oid(orderId), reason: 'CANCEL: range broken the other way' },
      })),
    )
  })

  it('given an order already being cancelled, when CANCEL, then it is not asked again', () => {
    given(engine, [runStarted(), ...workingOrder('o1'), orderCancelRequested('o1')])
      .when(signalEmitted({ intent: 'CANCEL' }))
      .thenNothingHappened()
  })

  describe('a priced signal repeated with other prices moves its working order', () => {
    const limitAt = (px: number, ts = T0) => {
      const sig = priced({ orderType: 'LIMIT', limitPricePaise: unsafeMoney.price(px) })
      return { ...sig, ts, payload: { ...sig.payload, reason: `chase at ${px}` } }
    }
    /** A working BUY `qty` LIMIT at 990.00 of the strategy's own. */
    const limitOrder = (orderId: string, qty = 10): EventDraft[] => {
      const r = orderRequested({ orderId, orderType: 'LIMIT', qty })
      return [
        { ...r, payload: { ...r.payload, limitPricePaise: unsafeMoney.price(99_000) } },
        orderSubmitted(orderId),
        orderAccepted(orderId),
      ]
    }
    /** The LONG 10 signal at seq 2 and its order. */
    const working = [runStarted(), limitAt(99_000), ...limitOrder(`${RUN_ID}-2`)]

    it('given it, when LONG 10 by LIMIT at 1000.00 a minute later, then it is asked to move to 1000.00, not doubled', () => {
      given(engine, working)
        .when(limitAt(100_000, T0 + MINUTE)) // seq 6
        .then([
          {
            type: 'OrderModifyRequested',
            ts: T0 + MINUTE,
            causationId: seq(6),
            correlationId: `${RUN_ID}-2`,
            payload: {
              orderId: oid(`${RUN_ID}-2`),
              reason: 'moved: LONG 10 by LIMIT: chase at 100000',
              limitPricePaise: unsafeMoney.price(100_000),
            },
          },
        ])
    })

    it('the same prices again, another order type, or two working orders of its own: nothing', () => {
      given(engine, working)
        .when(limitAt(99_000, T0 + MINUTE))
        .thenNothingHappened()
      given(engine, working)
        .when(priced({ orderType: 'SL-M', triggerPricePaise: unsafeMoney.price(101_000) }))
        .thenNothingHappened()
      const two = [runStarted(), limitAt(99_000), ...limitOrder('o8', 5), ...limitOrder('o9', 5)]
      given(engine, two)
        .when(limitAt(100_000, T0 + MINUTE))
        .thenNothingHappened()
    })

    it('a move the notional limit refuses is denied by MaxNotional, names the value and limit, and leaves the order as it was', () => {
      const capped = [
        runStarted(),
        { type: 'RiskLimitsConfigured', ts: T0, payload: { limits: { maxNotionalPaise: 995_000 } } } as EventDraft,
        limitAt(99_000),
        ...limitOrder(`${RUN_ID}-3`),
      ]
      const out = given(engine, capped).when(limitAt(100_000, T0 + MINUTE)) // seq 7
      out.then([
        {
          type: 'OrderModifyDenied',
          ts: T0 + MINUTE,
          causationId: seq(7),
          correlationId: `${RUN_ID}-3`,
          payload: {
            orderId: oid(`${RUN_ID}-3`),
            rule: 'MaxNotional',
            reason: 'position value would be 10000.00 INR, limit 9950.00 INR',
            value: 1_000_000,
            limit: 995_000,
          },
        },
      ])
      expect(out.state.trading.orders.orders.get(`${RUN_ID}-3`)?.limitPricePaise).toBe(99_000)
      // Within the limit, it moves.
      given(engine, capped)
        .when(limitAt(99_500, T0 + MINUTE))
        .then([
          {
            type: 'OrderModifyRequested',
            ts: T0 + MINUTE,
            causationId: seq(7),
            correlationId: `${RUN_ID}-3`,
            payload: {
              orderId: oid(`${RUN_ID}-3`),
              reason: 'moved: LONG 10 by LIMIT: chase at 99500',
              limitPricePaise: unsafeMoney.price(99_500),
            },
          },
        ])
    })

    it('once moved, the simulated venue confirms it and the order fills at its new limit; a move within a second of the last waits', () => {
      const j = cascadeJournal(engine, [
        runStarted(),
        {
          type: 'SimulatorConfigured',
          ts: T0,
          payload: { config: { ...DEFAULT_SIMULATOR_CONFIG, fillModel: 'touch' } },
        },
        limitAt(99_000),
        // 998.00-1005.00: the 990.00 limit is not reached.
        barClosed(RELIANCE, { open: 100_200, close: 100_300 }, T0 + MINUTE),
        limitAt(100_000, T0 + MINUTE),
        limitAt(100_100, T0 + MINUTE + 500),
        barClosed(RELIANCE, { open: 100_200, close: 99_900 }, T0 + 2 * MINUTE),
      ])
      expect(
        j.flatMap((e) =>
          e.type === 'OrderModifyRequested' || e.type === 'OrderModified' ? [[e.type, e.payload.limitPricePaise]] : [],
        ),
      ).toEqual([
        ['OrderModifyRequested', 100_000],
        ['OrderModified', 100_000],
      ])
      expect(
        j.flatMap((e) => (e.type === 'OrderFilled' ? [[e.payload.fillQty, e.payload.fillPricePaise]] : [])),
      ).toEqual([[10, 100_000]])
      expect(j.filter((e) => e.type === 'OrderRequested')).toHaveLength(1)
    })
  })

  it('a strategy that asks for a LIMIT without a limit price fails loudly, naming itself and the missing price', () => {
    const broken = defineStrategy<Record<string, never>, null>({
      kind: 'broken-limit',
      description: 'asks for a LIMIT order without a price',
      params: paramsWithDefaults({}, {}, 'broken-limit'),
      init: () => null,
      onBar: () => ({ intent: 'LONG', qty: 1, confidence: 1, reason: 'x', order: { type: 'LIMIT' } }),
    })
    const e = createEngine({ strategies: createStrategyRegistry([broken]) })
    const spec = given(e, [runStarted(), strategyConfigured({ kind: 'broken-limit', params: {} })])
    expect(() => spec.when(barClosed(RELIANCE, { open: 100_000, close: 100_000 }))).toThrow(
      `strategy ${STREAK_A} (${RELIANCE}): a LIMIT order needs limitPricePaise, a positive whole number of paise (got undefined)`,
    )
  })
})

describe("the strategy context's session clock", () => {
  // A strategy that records the session clock it was given on each bar.
  const seen: unknown[] = []
  const recorder = defineStrategy<Record<string, never>, null>({
    kind: 'session-recorder',
    description: 'records ctx.session',
    params: paramsWithDefaults({}, {}, 'session-recorder'),
    init: () => null,
    onBar: (_s, _bar, ctx) => {
      seen.push(ctx.session)
      return undefined
    },
  })
  const sessions: Record<string, Session> = {
    '2024-11-01': {
      date: '2024-11-01',
      kind: 'muhurat',
      openSec: 18 * 3600,
      closeSec: 19 * 3600,
      description: 'Muhurat',
    },
  }
  const run = (sessionOn: EngineConfig['sessionOn'], barTs: number) => {
    seen.length = 0
    const e = createEngine({ strategies: createStrategyRegistry([recorder]), ...(sessionOn ? { sessionOn } : {}) })
    given(e, [runStarted(), strategyConfigured({ kind: 'session-recorder', params: {} })])
      .when(barClosed(RELIANCE, { open: 100_000, close: 100_000 }, barTs))
      .thenNothingHappened()
    return seen[0]
  }

  it("gives the calendar's session of the bar's IST date, as epoch bounds", () => {
    const evening = istInstant('2024-11-01', '18:05')!
    expect(run((d) => sessions[d], evening)).toEqual({
      openMs: istInstant('2024-11-01', '18:00'),
      closeMs: istInstant('2024-11-01', '19:00'),
      kind: 'muhurat',
    })
  })

  it('is undefined on a day the calendar has no session, and for an engine without a calendar', () => {
    expect(run((d) => sessions[d], istInstant('2024-11-02', '10:00')!)).toBeUndefined()
    expect(run(undefined, istInstant('2024-11-01', '18:05')!)).toBeUndefined()
  })
})

describe('execution: a signal becomes the order that moves the position to its target', () => {
  it("given a flat position, when LONG 10, then BUY 10 at market, its id the run and the signal's seq", () => {
    given(engine, [runStarted()])
      .when(signalEmitted({ intent: 'LONG', qty: 10, reason: 'up' })) // seq 2
      .then([expectedOrder(2, 'BUY', 10, 'LONG 10 (held 0): up')])
  })

  it('given long 10, when LONG 10, then nothing happens', () => {
    given(engine, [runStarted(), ...workingOrder('o1'), orderFilled({ orderId: 'o1', fillQty: 10 })])
      .when(signalEmitted({ intent: 'LONG', qty: 10 }))
      .thenNothingHappened()
  })

  it('given a working BUY 10, when LONG 10, then nothing happens (the pending quantity counts)', () => {
    given(engine, [runStarted(), ...workingOrder('o1')])
      .when(signalEmitted({ intent: 'LONG', qty: 10 }))
      .thenNothingHappened()
  })

  it('given a working BUY 10 filled 4, when LONG 10, then nothing happens (held 4 + pending 6)', () => {
    given(engine, [runStarted(), ...workingOrder('o1'), orderFilled({ orderId: 'o1', fillQty: 4 })])
      .when(signalEmitted({ intent: 'LONG', qty: 10 }))
      .thenNothingHappened()
  })

  it('given long 4, when LONG 10, then BUY 6', () => {
    given(engine, [
      runStarted(),
      ...workingOrder('o1', { orderId: 'o1', qty: 4 }),
      orderFilled({ orderId: 'o1', fillQty: 4 }),
    ])
      .when(signalEmitted({ intent: 'LONG', qty: 10, reason: 'up' })) // seq 6
      .then([expectedOrder(6, 'BUY', 6, 'LONG 10 (held 4): up')])
  })

  it('given long 10, when FLAT, then SELL 10', () => {
    given(engine, [runStarted(), ...workingOrder('o1'), orderFilled({ orderId: 'o1', fillQty: 10 })])
      .when(signalEmitted({ intent: 'FLAT', reason: 'down' })) // seq 6
      .then([expectedOrder(6, 'SELL', 10, 'FLAT (held 10): down')])
  })

  it('given long 10, when SHORT 5, then the opposing-signal exit is recorded and SELL 15 reverses', () => {
    given(engine, [runStarted(), ...workingOrder('o1'), orderFilled({ orderId: 'o1', fillQty: 10 })])
      .when(signalEmitted({ intent: 'SHORT', qty: 5, reason: 'reverse' })) // seq 6
      .then([
        {
          type: 'ExitTriggered',
          ts: T0,
          causationId: seq(6),
          payload: {
            strategyId: STREAK_A,
            instrumentKey: RELIANCE,
            exit: 'opposing-signal',
            reason: 'SHORT signal against a position of 10: reverse',
            // The mark is the fill price (122305): no tick or bar has arrived.
            pricePaise: unsafeMoney.price(122305),
          },
        },
        expectedOrder(6, 'SELL', 15, 'SHORT 5 (held 10): reverse'),
      ])
  })

  it('given long 10 and a strategy that ignores opposing signals, when SHORT 5, then nothing happens', () => {
    given(engine, [
      runStarted(),
      strategyConfigured({ exits: { exitOnOpposingSignal: false } }),
      ...workingOrder('o1'),
      orderFilled({ orderId: 'o1', fillQty: 10 }),
    ])
      .when(signalEmitted({ intent: 'SHORT', qty: 5, reason: 'reverse' }))
      .thenNothingHappened()
  })

  it('given flat, when FLAT, then nothing happens', () => {
    given(engine, [runStarted()])
      .when(signalEmitted({ intent: 'FLAT' }))
      .thenNothingHappened()
  })
})

describe('risk rules: an order request is submitted, or denied by the first rule it breaks', () => {
  const submitted = (causationId: number, orderId: string, venue = 'simulated'): Draft<'OrderSubmitted'> => ({
    type: 'OrderSubmitted',
    ts: T0,
    causationId: seq(causationId),
    correlationId: orderId,
    payload: { orderId: oid(orderId), venue },
  })
  const denied = (
    causationId: number,
    orderId: string,
    payload: Omit<Draft<'OrderDenied'>['payload'], 'orderId'>,
    ts = T0,
  ): Draft<'OrderDenied'> => ({
    type: 'OrderDenied',
    ts,
    causationId: seq(causationId),
    correlationId: orderId,
    payload: { orderId: oid(orderId), ...payload },
  })

  it('given no switch and no traffic, then the order is submitted to the simulated venue', () => {
    given(engine, [runStarted()])
      .when(orderRequested({ orderId: 'o1' }))
      .then([submitted(2, 'o1')])
  })

  it('given the upstox broker, then the order is submitted to upstox', () => {
    given(engine, [runStarted({ broker: 'upstox' })])
      .when(orderRequested({ orderId: 'o1' }))
      .then([submitted(2, 'o1', 'upstox')])
  })

  it('given a global kill switch engaged by the operator, then the order is denied by KillSwitch', () => {
    given(engine, [runStarted(), killSwitchEngaged('global', undefined, { reason: 'halt all' })])
      .when(orderRequested({ orderId: 'o1' })) // seq 3
      .then([denied(3, 'o1', { rule: 'KillSwitch', reason: 'kill switch engaged (global) by operator: halt all' })])
  })

  it('given the global switch was released, then the order is submitted again', () => {
    given(engine, [runStarted(), killSwitchEngaged('global'), killSwitchReleased('global')])
      .when(orderRequested({ orderId: 'o1' }))
      .then([submitted(4, 'o1')])
  })

  describe('given a kill switch for strategy streak.a', () => {
    const history = [runStarted(), killSwitchEngaged('strategy', STREAK_A, { source: 'rule', reason: 'daily loss' })]

    it('then an order of streak.a is denied', () => {
      given(engine, history)
        .when(orderRequested({ orderId: 'o1', strategyId: STREAK_A }))
        .then([
          denied(3, 'o1', {
            rule: 'KillSwitch',
            reason: 'kill switch engaged (strategy streak.a) by rule: daily loss',
          }),
        ])
    })

    it('then an order of streak.b in the same instrument is submitted', () => {
      given(engine, history)
        .when(orderRequested({ orderId: 'o1', strategyId: STREAK_B }))
        .then([submitted(3, 'o1')])
    })
  })

  describe('given a kill switch for instrument RELIANCE', () => {
    const history = [runStarted(), killSwitchEngaged('instrument', RELIANCE, { reason: 'circuit' })]

    it('then an order in RELIANCE is denied', () => {
      given(engine, history)
        .when(orderRequested({ orderId: 'o1', instrumentKey: RELIANCE }))
        .then([
          denied(3, 'o1', {
            rule: 'KillSwitch',
            reason: `kill switch engaged (instrument ${RELIANCE}) by operator: circuit`,
          }),
        ])
    })

    it('then an order of the same strategy in INFY is submitted', () => {
      given(engine, history)
        .when(orderRequested({ orderId: 'o1', instrumentKey: INFY }))
        .then([submitted(3, 'o1')])
    })
  })

  describe('given 10 orders submitted within one second', () => {
    // Submitted at T0, T0+90, ..., T0+810; the window is the 1000 ms up to and including the request.
    const ten = Array.from({ length: 10 }, (_, i) => orderSubmitted(`o${i + 1}`, T0 + i * 90))
    const history = [runStarted(), ...ten]

    it('when an 11th is requested 999 ms after the first, then OrderRate denies it with value 10 and limit 10', () => {
      given(engine, history)
        .when(orderRequested({ orderId: 'o11' }, T0 + 999)) // seq 12
        .then([
          denied(
            12,
            'o11',
            { rule: 'OrderRate', reason: '10 orders in the last second, limit 10', value: 10, limit: 10 },
            T0 + 999,
          ),
        ])
    })

    it('when it is requested 1000 ms after the first (which has left the window), then it is submitted', () => {
      const out = given(engine, history).when(orderRequested({ orderId: 'o11' }, T0 + 1000))
      expect(out.decisions.map((d) => d.type)).toEqual(['OrderSubmitted'])
    })

    it('a kill switch is checked before the order rate', () => {
      given(engine, [...history, killSwitchEngaged('global', undefined, { reason: 'x' })])
        .when(orderRequested({ orderId: 'o11' }, T0 + 999))
        .then([
          denied(13, 'o11', { rule: 'KillSwitch', reason: 'kill switch engaged (global) by operator: x' }, T0 + 999),
        ])
    })
  })
})

describe('simulated broker', () => {
  it('given the simulated broker, when an order is submitted, then it is accepted', () => {
    given(engine, [runStarted(), orderRequested({ orderId: 'o1' })])
      .when(orderSubmitted('o1')) // seq 3
      .then([
        {
          type: 'OrderAccepted',
          ts: T0,
          causationId: seq(3),
          correlationId: 'o1',
          payload: { orderId: oid('o1'), brokerOrderId: 'SIM-o1' },
        },
      ])
  })

  it('given no run yet, the broker is the simulator', () => {
    const out = given(engine, [orderRequested({ orderId: 'o1' })]).when(orderSubmitted('o1'))
    expect(out.decisions.map((d) => d.type)).toEqual(['OrderAccepted'])
  })

  it('given the upstox broker, when an order is submitted, then nothing happens (Upstox answers)', () => {
    given(engine, [runStarted({ broker: 'upstox' }), orderRequested({ orderId: 'o1' })])
      .when(orderSubmitted('o1', T0, 'upstox'))
      .thenNothingHappened()
  })

  const fill = (
    causationId: number,
    orderId: string,
    fillQty: number,
    fillPricePaise: number,
    tradeSeq: number,
    ts: number,
  ): Draft<'OrderFilled'> => ({
    type: 'OrderFilled',
    ts,
    causationId: seq(causationId),
    correlationId: orderId,
    payload: {
      orderId: oid(orderId),
      tradeId: `${orderId}-T${tradeSeq}`,
      strategyId: STREAK_A,
      instrumentKey: RELIANCE,
      side: 'BUY',
      fillQty: unsafeMoney.qty(fillQty),
      fillPricePaise: unsafeMoney.price(fillPricePaise),
      feesPaise: unsafeMoney.paise(0) as Draft<'OrderFilled'>['payload']['feesPaise'],
    },
  })

  it("given an accepted MARKET order, when the next bar closes, then it fills in full at the bar's open", () => {
    const bar = barClosed(RELIANCE, { open: 1220_00, close: 1231_50 }, T0 + MINUTE)
    given(engine, [runStarted(), ...workingOrder('o1')]) // the acceptance is seq 4
      .when(bar) // seq 5
      .then([fill(4, 'o1', 10, 1220_00, 5, bar.ts)])
  })

  it('given an accepted order partly filled, then the bar fills the remainder, caused by the latest event', () => {
    const bar = barClosed(RELIANCE, { open: 1220_00, close: 1231_50 }, T0 + MINUTE)
    given(engine, [runStarted(), ...workingOrder('o1'), orderFilled({ orderId: 'o1', fillQty: 4 })])
      .when(bar) // seq 6
      .then([fill(5, 'o1', 6, 1220_00, 6, bar.ts)])
  })

  it("given an accepted order, when a tick arrives, then it fills at the tick's price", () => {
    given(engine, [runStarted(), ...workingOrder('o1')])
      .when(tickReceived(RELIANCE, 1219_95, T0 + 5))
      .then([fill(4, 'o1', 10, 1219_95, 5, T0 + 5)])
  })

  it('an order not yet accepted, or in another instrument, is not filled', () => {
    given(engine, [runStarted(), orderRequested({ orderId: 'o1' }), orderSubmitted('o1')])
      .when(barClosed(RELIANCE, { open: 1220_00, close: 1231_50 }))
      .thenNothingHappened()
    given(engine, [runStarted(), ...workingOrder('o1')])
      .when(barClosed(INFY, { open: 1500_00, close: 1501_00 }))
      .thenNothingHappened()
  })

  it('given the upstox broker, a bar fills nothing', () => {
    given(engine, [runStarted({ broker: 'upstox' }), ...workingOrder('o1')])
      .when(barClosed(RELIANCE, { open: 1220_00, close: 1231_50 }))
      .thenNothingHappened()
  })

  it('given a working order, when a cancel is requested, then the simulator cancels it with that reason', () => {
    given(engine, [runStarted(), ...workingOrder('o1')])
      .when(orderCancelRequested('o1', 'square off')) // seq 5
      .then([
        {
          type: 'OrderCancelled',
          ts: T0,
          causationId: seq(5),
          correlationId: 'o1',
          payload: { orderId: oid('o1'), reason: 'square off' },
        },
      ])
  })

  it('given a filled order, when a cancel is requested, then nothing happens', () => {
    given(engine, [runStarted(), ...workingOrder('o1'), orderFilled({ orderId: 'o1', fillQty: 10 })])
      .when(orderCancelRequested('o1'))
      .thenNothingHappened()
  })
})

describe('kill switch: engaging one cancels the working orders it covers', () => {
  const history = [
    runStarted(),
    ...workingOrder('o1', { orderId: 'o1', strategyId: STREAK_A, instrumentKey: RELIANCE }),
    ...workingOrder('o2', { orderId: 'o2', strategyId: STREAK_B, instrumentKey: INFY }),
    ...workingOrder('o3', { orderId: 'o3', strategyId: STREAK_B, instrumentKey: RELIANCE }),
  ]
  const cancel = (causationId: number, orderId: string, reason: string): Draft<'OrderCancelRequested'> => ({
    type: 'OrderCancelRequested',
    ts: T0,
    causationId: seq(causationId),
    correlationId: orderId,
    payload: { orderId: oid(orderId), reason: `kill switch engaged: ${reason}` },
  })

  it('global: every working order, in the order they were requested', () => {
    given(engine, history)
      .when(killSwitchEngaged('global', undefined, { reason: 'halt' })) // seq 11
      .then([cancel(11, 'o1', 'halt'), cancel(11, 'o2', 'halt'), cancel(11, 'o3', 'halt')])
  })

  it("strategy: only that strategy's orders", () => {
    given(engine, history)
      .when(killSwitchEngaged('strategy', STREAK_B, { reason: 'b' }))
      .then([cancel(11, 'o2', 'b'), cancel(11, 'o3', 'b')])
  })

  it("instrument: only that instrument's orders", () => {
    given(engine, history)
      .when(killSwitchEngaged('instrument', RELIANCE, { reason: 'r' }))
      .then([cancel(11, 'o1', 'r'), cancel(11, 'o3', 'r')])
  })

  it('orders already pending cancel, or finished, are left alone', () => {
    given(engine, [...history, orderCancelRequested('o1'), orderFilled({ orderId: 'o2', fillQty: 10 })])
      .when(killSwitchEngaged('global', undefined, { reason: 'halt' })) // seq 13
      .then([cancel(13, 'o3', 'halt')])
  })

  it('in a cascade, the simulator then cancels the order and the position stays flat', () => {
    const journal = cascadeJournal(engine, [
      runStarted(),
      signalEmitted({ intent: 'LONG', qty: 10 }),
      killSwitchEngaged('global', undefined, { reason: 'halt' }),
      barClosed(RELIANCE, { open: 1220_00, close: 1231_50 }),
    ])
    expect(journal.map((e) => [e.seq, e.type, e.causationId])).toEqual([
      [1, 'RunStarted', undefined],
      [2, 'SignalEmitted', undefined],
      [3, 'OrderRequested', 2],
      [4, 'OrderSubmitted', 3],
      [5, 'OrderAccepted', 4],
      [6, 'KillSwitchEngaged', undefined],
      [7, 'OrderCancelRequested', 6],
      [8, 'OrderCancelled', 7],
      [9, 'BarClosed', undefined],
    ])
    expect(journal[7]?.payload).toEqual({ orderId: `${RUN_ID}-2`, reason: 'kill switch engaged: halt' })
  })
})

describe('a cascade: two strategies signalling on the same bar', () => {
  it('get distinct order ids, and both orders fill at the next bar', () => {
    const bars = barsClosingAt(RELIANCE, [100_00, 101_00, 102_00]) // the second bar makes both signal
    const journal = cascadeJournal(engine, [
      runStarted(),
      strategyConfigured({ strategyId: STREAK_B, params: { bars: 1, qty: 3 } }),
      strategyConfigured({ strategyId: STREAK_A, params: { bars: 1, qty: 5 } }),
      ...bars,
    ])
    const requests = journal.filter((e) => e.type === 'OrderRequested')
    expect(requests.map((e) => [e.seq, e.causationId, e.payload.orderId, e.payload.strategyId])).toEqual([
      [8, 6, `${RUN_ID}-6`, STREAK_B],
      [9, 7, `${RUN_ID}-7`, STREAK_A],
    ])
    const fills = journal.filter((e) => e.type === 'OrderFilled')
    expect(fills.map((e) => [e.payload.orderId, e.payload.fillQty, e.payload.fillPricePaise])).toEqual([
      [`${RUN_ID}-6`, 3, 101_00],
      [`${RUN_ID}-7`, 5, 101_00],
    ])
  })
})

describe('strategy configuration', () => {
  it('an unknown kind is recorded in strategyErrors, naming the known kinds', () => {
    const state = given(engine, [runStarted()])
      .when(strategyConfigured({ kind: 'sma-cross' }))
      .thenNothingHappened()
    expect(state.strategies.has(STREAK_A)).toBe(false)
    expect([...state.strategyErrors]).toEqual([[STREAK_A, 'unknown strategy kind "sma-cross" (known: streak)']])
  })

  it('an unknown param is recorded in strategyErrors, naming it', () => {
    const state = given(engine, [runStarted()])
      .when(strategyConfigured({ params: { barz: 3 } }))
      .thenNothingHappened()
    expect(state.strategyErrors.get(STREAK_A)).toBe(
      'bad params for streak: unknown streak param(s): barz (known: bars, qty)',
    )
  })

  it('a param of the wrong value is recorded in strategyErrors, naming the field, the rule and the value', () => {
    const state = given(engine, [runStarted()])
      .when(strategyConfigured({ params: { bars: 0, qty: 2.5 } }))
      .thenNothingHappened()
    expect(state.strategies.has(STREAK_A)).toBe(false)
    expect(state.strategyErrors.get(STREAK_A)).toBe(
      'bad params for streak: bars: expected PositiveInt, got 0; qty: expected PositiveInt, got 2.5',
    )
  })

  it('a later good configuration starts the strategy and clears the error', () => {
    const state = given(engine, [runStarted(), strategyConfigured({ kind: 'nope' })])
      .when(strategyConfigured({ params: { bars: 2 } }))
      .thenNothingHappened()
    expect(state.strategyErrors.size).toBe(0)
    expect(state.strategies.get(STREAK_A)?.definition.kind).toBe('streak')
  })

  it('re-configuring with the same params (here: disabled, then enabled again) keeps the warm state', () => {
    const bars = barsClosingAt(RELIANCE, [100_00, 101_00, 102_00])
    const out = given(engine, [runStarted(), strategyConfigured({ params: { bars: 2, qty: 10 } })])
      .andStepped([
        bars[0]!,
        bars[1]!,
        strategyConfigured({ params: { bars: 2, qty: 10 }, enabled: false }),
        strategyConfigured({ params: { qty: 10, bars: 2 } }),
      ])
      .when(bars[2]!)
    expect(out.decisions).toMatchObject([{ type: 'SignalEmitted', payload: { reason: '2 consecutive higher closes' } }])
  })

  it('disabling a strategy mid-run stops it at once: a bar that would signal decides nothing', () => {
    const bars = barsClosingAt(RELIANCE, [100_00, 101_00, 102_00])
    given(engine, [runStarted(), strategyConfigured({ params: { bars: 2, qty: 10 } })])
      .andStepped([bars[0]!, bars[1]!, strategyConfigured({ params: { bars: 2, qty: 10 }, enabled: false })])
      .when(bars[2]!)
      .thenNothingHappened()
  })

  it('moving a strategy to another instrument mid-run: the old one decides nothing, the new one signals', () => {
    const reliance = barsClosingAt(RELIANCE, [100_00, 101_00, 102_00, 103_00])
    const infy = barsClosingAt(INFY, [100_00, 101_00, 102_00], reliance[3]!.ts + 60_000)
    const moved = strategyConfigured({ params: { bars: 2, qty: 10 }, instruments: [INFY] })
    given(engine, [runStarted(), strategyConfigured({ params: { bars: 2, qty: 10 } })])
      .andStepped([reliance[0]!, reliance[1]!, moved])
      .when(reliance[2]!)
      .thenNothingHappened()
    const out = given(engine, [runStarted(), strategyConfigured({ params: { bars: 2, qty: 10 } })])
      .andStepped([reliance[0]!, reliance[1]!, moved, infy[0]!, infy[1]!])
      .when(infy[2]!)
    expect(out.decisions).toMatchObject([{ type: 'SignalEmitted', payload: { instrumentKey: INFY } }])
  })

  it('re-configuring with new params runs the new params, from a fresh state', () => {
    const bars = barsClosingAt(RELIANCE, [100_00, 101_00, 102_00, 103_00])
    const out = given(engine, [runStarted(), strategyConfigured({ params: { bars: 3, qty: 10 } })])
      .andStepped([bars[0]!, bars[1]!, strategyConfigured({ params: { bars: 1, qty: 4 } }), bars[2]!])
      .when(bars[3]!)
    expect(out.decisions).toMatchObject([
      { type: 'SignalEmitted', payload: { reason: '1 consecutive higher closes', qty: 4 } },
    ])
  })

  it('a bad re-configuration stops a running strategy: its bars decide nothing', () => {
    const bars = barsClosingAt(RELIANCE, [100_00, 101_00, 102_00])
    given(engine, [runStarted(), strategyConfigured({ params: { bars: 2 } })])
      .andStepped([bars[0]!, bars[1]!, strategyConfigured({ params: { bars: -1 } })])
      .when(bars[2]!)
      .thenNothingHappened()
  })
})
