import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Envelope, EventDraft, ExitConfig, SimulatorConfig } from '../../domain/events/index.js'
import { unsafe } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import type { RiskLimits } from '../../domain/risk/index.js'
import { createStrategyRegistry, streakStrategy } from '../../domain/strategies/index.js'
import { type Draft, orderAccepted, orderFilled, RELIANCE, STREAK_A, T0 } from '../orders/orderBook.fixtures.js'
import { positionKey } from '../positions/index.js'
import { given } from './deciderSpec.js'
import {
  barClosed,
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
import { fromEngineSnapshot, serializeEngineState } from './engineSnapshot.js'
import { DEFAULT_SIMULATOR_CONFIG } from './simulator.js'

// Known answers for resting exits (docs/exits.md): the stop loss and take profit of a position as orders at the
// simulated venue, placed when it opens, kept in step with it, one cancelling the other. T0 is 09:15 IST on
// 2025-01-02; the strategy trades only on the signals given here (it is configured with no instruments).

const engine = streakEngine()
const seq = unsafe.seq

const configured = (c: Partial<SimulatorConfig>): Draft<'SimulatorConfigured'> => ({
  type: 'SimulatorConfigured',
  ts: T0,
  payload: { config: { ...DEFAULT_SIMULATOR_CONFIG, ...c } },
})

const limits = (l: RiskLimits): Draft<'RiskLimitsConfigured'> => ({
  type: 'RiskLimitsConfigured',
  ts: T0,
  payload: { limits: l },
})

const RESTING: ExitConfig = { stopLossPct: 2, takeProfitPct: 3, resting: true }

/** A run on the `touch` fill model whose strategy rests these exits. */
const setup = (exits: ExitConfig = RESTING, more: readonly EventDraft[] = []): EventDraft[] => [
  runStarted(),
  configured({ fillModel: 'touch' }),
  strategyConfigured({ instruments: [], exits }),
  ...more,
]

/** A bar closing `n` minutes after T0, with explicit OHLC. */
const bar = (n: number, o: number, h: number, l: number, c: number): EventDraft => {
  const b = barClosed(RELIANCE, { open: o, close: c }, T0 + n * MINUTE)
  return b.type === 'BarClosed'
    ? { ...b, payload: { ...b.payload, highPaise: unsafeMoney.price(h), lowPaise: unsafeMoney.price(l) } }
    : b
}

/** A LONG (or SHORT) 10 signal at T0 and the bar whose open (1000.00) fills it. */
const entered = (intent: 'LONG' | 'SHORT' = 'LONG'): EventDraft[] => [
  signalEmitted({ intent, qty: 10 }),
  bar(1, 100_000, 100_200, 99_800, 100_100),
]

const ofType = <K extends Envelope['type']>(j: readonly Envelope[], type: K) =>
  j.filter((e): e is Extract<Envelope, { type: K }> => e.type === type)

const fillsOf = (j: readonly Envelope[]) =>
  ofType(j, 'OrderFilled').map((e) => [e.payload.orderId, e.payload.side, e.payload.fillQty, e.payload.fillPricePaise])

const restingRequests = (j: readonly Envelope[]) =>
  ofType(j, 'OrderRequested')
    .filter((e) => e.payload.protects !== undefined)
    .map((e) => [
      e.payload.protects,
      e.payload.orderType,
      e.payload.side,
      e.payload.qty,
      e.payload.triggerPricePaise ?? e.payload.limitPricePaise,
    ])

const positionOf = (j: readonly Envelope[]): number => {
  const s = engine.initialState()
  for (const e of j) engine.evolve(s, e)
  return s.trading.portfolio.positions.get(positionKey(STREAK_A, RELIANCE))?.qty ?? 0
}

describe('placing the resting exits when a position opens', () => {
  it('given a 2% stop and a 3% target, when a long 10 fills at 1000.00, then a SELL SL-M at 980.00 and a SELL LIMIT at 1030.00 are asked for', () => {
    const fill = orderFilled({ orderId: 'o1', side: 'BUY', fillQty: 10, fillPricePaise: 100_000 })
    given(engine, setup())
      .when(fill) // seq 4
      .then([
        {
          type: 'OrderRequested',
          ts: T0,
          causationId: seq(4),
          correlationId: `${RUN_ID}-4-SL`,
          payload: {
            orderId: unsafe.orderId(`${RUN_ID}-4-SL`),
            strategyId: STREAK_A,
            instrumentKey: RELIANCE,
            side: 'SELL',
            qty: unsafeMoney.qty(10),
            orderType: 'SL-M',
            product: 'I',
            validity: 'DAY',
            reason: 'stop-loss: resting SL-M at 980.00, 2% below the 1000.00 entry',
            protects: 'stop-loss',
            triggerPricePaise: unsafeMoney.price(98_000),
          },
        },
        {
          type: 'OrderRequested',
          ts: T0,
          causationId: seq(4),
          correlationId: `${RUN_ID}-4-TP`,
          payload: {
            orderId: unsafe.orderId(`${RUN_ID}-4-TP`),
            strategyId: STREAK_A,
            instrumentKey: RELIANCE,
            side: 'SELL',
            qty: unsafeMoney.qty(10),
            orderType: 'LIMIT',
            product: 'I',
            validity: 'DAY',
            reason: 'take-profit: resting LIMIT at 1030.00, 3% above the 1000.00 entry',
            protects: 'take-profit',
            limitPricePaise: unsafeMoney.price(103_000),
          },
        },
      ])
  })

  it('a short gets a BUY stop above and a BUY target below, on the 5-paise tick (1001.00 x 1.02 = 1021.02 -> 1021.00)', () => {
    const j = cascadeJournal(engine, [
      ...setup(),
      signalEmitted({ intent: 'SHORT', qty: 10 }),
      bar(1, 100_100, 100_200, 100_000, 100_100),
    ])
    expect(restingRequests(j)).toEqual([
      ['stop-loss', 'SL-M', 'BUY', 10, 102_100],
      ['take-profit', 'LIMIT', 'BUY', 10, 97_095],
    ])
  })

  it('without `resting`, nothing is placed: the exits are checked on the close', () => {
    const fill = orderFilled({ orderId: 'o1', side: 'BUY', fillQty: 10, fillPricePaise: 100_000 })
    given(engine, setup({ stopLossPct: 2, takeProfitPct: 3 }))
      .when(fill)
      .thenNothingHappened()
  })

  it('a position limit of 10 does not deny them: they reduce the position, and are not counted as pending', () => {
    const j = cascadeJournal(engine, [...setup(RESTING, [limits({ maxQty: 10 })]), ...entered()])
    expect(ofType(j, 'OrderDenied')).toEqual([])
    expect(ofType(j, 'OrderAccepted').map((e) => e.payload.orderId)).toEqual([
      `${RUN_ID}-5`,
      `${RUN_ID}-10-SL`,
      `${RUN_ID}-10-TP`,
    ])
  })
})

describe('one fills where the price reaches it, and cancels the other', () => {
  it('a bar whose low passes 980.00 but closes at 990.00 fills the stop at 980.00, and the target is cancelled', () => {
    const j = cascadeJournal(engine, [...setup(), ...entered(), bar(2, 100_000, 100_100, 97_500, 99_000)])
    expect(fillsOf(j)).toEqual([
      [`${RUN_ID}-4`, 'BUY', 10, 100_000],
      [`${RUN_ID}-9-SL`, 'SELL', 10, 98_000],
    ])
    expect(ofType(j, 'OrderCancelled').map((e) => [e.payload.orderId, e.payload.reason])).toEqual([
      [`${RUN_ID}-9-TP`, 'take-profit: the position is flat'],
    ])
    expect(positionOf(j)).toBe(0)
  })

  it('a bar whose high reaches 1030.00 fills the target at its limit, and the stop is cancelled', () => {
    const j = cascadeJournal(engine, [...setup(), ...entered(), bar(2, 100_200, 103_500, 100_100, 102_000)])
    expect(fillsOf(j).at(-1)).toEqual([`${RUN_ID}-9-TP`, 'SELL', 10, 103_000])
    expect(ofType(j, 'OrderCancelled').map((e) => e.payload.orderId)).toEqual([`${RUN_ID}-9-SL`])
    expect(positionOf(j)).toBe(0)
  })

  it('a gap through the stop fills at the open, and no ExitTriggered comes from the close', () => {
    const j = cascadeJournal(engine, [...setup(), ...entered(), bar(2, 97_000, 97_200, 96_500, 96_800)])
    expect(fillsOf(j).at(-1)).toEqual([`${RUN_ID}-9-SL`, 'SELL', 10, 97_000])
    expect(ofType(j, 'ExitTriggered')).toEqual([])
  })

  it('a bar that reaches both fills only the one its path reaches first: low first on a rising bar, high first on a falling one', () => {
    // Rising (close >= open): O-L-H-C, so the stop at 980.00 is reached before the target at 1030.00.
    const rising = cascadeJournal(engine, [...setup(), ...entered(), bar(2, 100_000, 104_000, 97_000, 103_500)])
    expect(fillsOf(rising).slice(1)).toEqual([[`${RUN_ID}-9-SL`, 'SELL', 10, 98_000]])
    // Falling: O-H-L-C, the target first.
    const falling = cascadeJournal(engine, [...setup(), ...entered(), bar(2, 100_000, 104_000, 97_000, 97_500)])
    expect(fillsOf(falling).slice(1)).toEqual([[`${RUN_ID}-9-TP`, 'SELL', 10, 103_000]])
    expect(positionOf(rising)).toBe(0)
    expect(positionOf(falling)).toBe(0)
  })

  it('the fill carries the exit as its order reason, for the trades table', () => {
    const j = cascadeJournal(engine, [...setup(), ...entered(), bar(2, 100_000, 100_100, 97_500, 99_000)])
    const s = engine.initialState()
    for (const e of j) engine.evolve(s, e)
    expect(s.trading.orders.orders.get(`${RUN_ID}-9-SL`)?.reason).toBe(
      'stop-loss: resting SL-M at 980.00, 2% below the 1000.00 entry',
    )
  })
})

describe('in step with the position', () => {
  it("a strategy's FLAT first cancels them, so the position is closed once, never reversed", () => {
    const j = cascadeJournal(engine, [
      ...setup(),
      ...entered(),
      signalEmitted({ intent: 'FLAT' }, T0 + 2 * MINUTE),
      // Would reach both the stop and the target if they were still working.
      bar(3, 100_000, 104_000, 97_000, 100_000),
    ])
    expect(fillsOf(j)).toEqual([
      [`${RUN_ID}-4`, 'BUY', 10, 100_000],
      [`${RUN_ID}-16`, 'SELL', 10, 100_000],
    ])
    expect(ofType(j, 'OrderCancelRequested').map((e) => [e.payload.orderId, e.payload.reason])).toEqual([
      [`${RUN_ID}-9-SL`, `resting exits stand aside for order ${RUN_ID}-16`],
      [`${RUN_ID}-9-TP`, `resting exits stand aside for order ${RUN_ID}-16`],
    ])
    expect(positionOf(j)).toBe(0)
  })

  it("a strategy's CANCEL leaves them working: it withdraws the strategy's own orders", () => {
    const j = cascadeJournal(engine, [...setup(), ...entered(), signalEmitted({ intent: 'CANCEL' }, T0 + 2 * MINUTE)])
    expect(ofType(j, 'OrderCancelRequested')).toEqual([])
  })

  it('adding 10 at 1010.00 replaces them for 20 at the new average entry (1005.00: 984.90 and 1035.15)', () => {
    const j = cascadeJournal(engine, [
      ...setup(),
      ...entered(),
      signalEmitted({ intent: 'LONG', qty: 20 }, T0 + 2 * MINUTE),
      bar(3, 101_000, 101_100, 100_900, 101_000),
    ])
    expect(restingRequests(j)).toEqual([
      ['stop-loss', 'SL-M', 'SELL', 10, 98_000],
      ['take-profit', 'LIMIT', 'SELL', 10, 103_000],
      ['stop-loss', 'SL-M', 'SELL', 20, 98_490],
      ['take-profit', 'LIMIT', 'SELL', 20, 103_515],
    ])
    expect(ofType(j, 'OrderCancelled').map((e) => e.payload.orderId)).toEqual([`${RUN_ID}-9-SL`, `${RUN_ID}-9-TP`])
  })

  it('a target that fills in part (volume cap) leaves the stop resized to what is left', () => {
    const capped = [
      runStarted(),
      configured({ fillModel: 'touch', participation: 0.004 }),
      strategyConfigured({ instruments: [], exits: RESTING }),
    ]
    // Volume 1000 at 0.4%: 4 shares a bar. The entry takes three bars (4, 4, 2); then the target fills 4 of 10.
    const j = cascadeJournal(engine, [
      ...capped,
      signalEmitted({ intent: 'LONG', qty: 10 }),
      bar(1, 100_000, 100_000, 100_000, 100_000),
      bar(2, 100_000, 100_000, 100_000, 100_000),
      bar(3, 100_000, 100_000, 100_000, 100_000),
      bar(4, 100_000, 103_500, 100_000, 103_000),
    ])
    expect(fillsOf(j).map(([id, side, q]) => [id, side, q])).toEqual([
      [`${RUN_ID}-4`, 'BUY', 4],
      [`${RUN_ID}-4`, 'BUY', 4],
      [`${RUN_ID}-4`, 'BUY', 2],
      [expect.stringMatching(/-TP$/), 'SELL', 4],
    ])
    const s = engine.initialState()
    for (const e of j) engine.evolve(s, e)
    const working = [...s.trading.orders.working.values()].map((o) => [o.protects, o.qty - o.filledQty])
    expect(working).toEqual([
      ['take-profit', 6],
      ['stop-loss', 6],
    ])
    expect(positionOf(j)).toBe(6)
  })

  it("with a volume cap, exits a fill asks for in the cascade of the strategy's FLAT are cancelled when the FLAT's order is folded, so the two never both fill", () => {
    // 1% of 100 shares: one share a bar. The streak strategy buys 4 after two higher closes, and goes flat after two
    // lower ones; stop and target 0.1% from the entry.
    const v = (b: EventDraft, volume: number): EventDraft =>
      b.type === 'BarClosed' ? { ...b, payload: { ...b.payload, volume } } : b
    const j = cascadeJournal(engine, [
      runStarted(),
      configured({ fillModel: 'touch', participation: 0.01 }),
      strategyConfigured({
        params: { bars: 2, qty: 4 },
        exits: { stopLossPct: 0.1, takeProfitPct: 0.1, resting: true, squareOff: 'off' },
      }),
      v(bar(1, 100_000, 100_000, 100_000, 100_000), 0),
      v(bar(2, 100_000, 100_001, 100_000, 100_001), 0),
      v(bar(3, 100_001, 100_002, 100_001, 100_002), 0), // LONG 4 (seq 7)
      v(bar(4, 100_002, 100_002, 100_001, 100_001), 100), // fills 1; exits for 1
      // Fills 1 more (seq 20), whose step asks for exits for 2; the bar's second lower close is a FLAT (seq 21).
      v(bar(5, 100_001, 100_001, 100_000, 100_000), 100),
      // Reaches the stop at 999.00: it must not be working beside the FLAT's SELL.
      v(bar(6, 100_000, 100_001, 99_900, 100_001), 200),
    ])
    expect(ofType(j, 'OrderCancelRequested').map((e) => [e.payload.orderId, e.payload.reason])).toEqual([
      [`${RUN_ID}-12-SL`, 'stop-loss: replaced for a position of 2'],
      [`${RUN_ID}-12-TP`, 'take-profit: replaced for a position of 2'],
      // The old legs are being cancelled already: only the replacements stand aside, once the FLAT's order is folded.
      [`${RUN_ID}-20-SL`, `resting exits stand aside for order ${RUN_ID}-21`],
      [`${RUN_ID}-20-TP`, `resting exits stand aside for order ${RUN_ID}-21`],
    ])
    expect(fillsOf(j)).toEqual([
      [`${RUN_ID}-7`, 'BUY', 1, 100_002],
      [`${RUN_ID}-7`, 'BUY', 1, 100_001],
      [`${RUN_ID}-7`, 'BUY', 2, 100_000],
      [`${RUN_ID}-21`, 'SELL', 2, 100_000],
    ])
    expect(positionOf(j)).toBe(2)
  })

  it('one asked for while an order of the strategy’s own reduces the position is denied by the RestingExit rule', () => {
    // A FLAT is working for the long 10 (its exits stood aside); a stop asked for now would work beside it.
    const history = [...setup(), ...entered(), signalEmitted({ intent: 'FLAT' }, T0 + 2 * MINUTE)]
    const folded = cascadeJournal(engine, history)
    const stop: EventDraft = {
      type: 'OrderRequested',
      ts: T0 + 2 * MINUTE,
      payload: {
        orderId: unsafe.orderId('late-SL'),
        strategyId: STREAK_A,
        instrumentKey: RELIANCE,
        side: 'SELL',
        qty: unsafeMoney.qty(10),
        orderType: 'SL-M',
        product: 'I',
        validity: 'DAY',
        reason: 'stop-loss: resting SL-M at 980.00, 2% below the 1000.00 entry',
        protects: 'stop-loss',
        triggerPricePaise: unsafeMoney.price(98_000),
      },
    }
    const s = engine.initialState()
    for (const e of folded) engine.evolve(s, e)
    const e = { ...stop, seq: seq(folded.length + 1) } as Envelope
    expect(engine.step(s, e).decisions).toStrictEqual([
      {
        type: 'OrderDenied',
        ts: T0 + 2 * MINUTE,
        causationId: seq(folded.length + 1),
        correlationId: 'late-SL',
        payload: {
          orderId: 'late-SL',
          rule: 'RestingExit',
          reason: "a stop-loss stands aside while the strategy's own orders reduce the position by 10",
          value: 10,
          limit: 0,
        },
      },
    ])
  })
})

describe('expired, denied or halted, they are placed again', () => {
  it('a delivery position keeps its exits overnight: the DAY orders expire at the next day\u2019s first price and are placed again', () => {
    const delivery = { ...strategyConfigured({ instruments: [], exits: RESTING }) }
    const d: EventDraft = { ...delivery, payload: { ...delivery.payload, product: 'D' } }
    const nextDay = T0 + 24 * 60 * MINUTE
    const j = cascadeJournal(engine, [
      runStarted(),
      configured({ fillModel: 'touch' }),
      d,
      ...entered(),
      bar(24 * 60 + 1, 100_100, 100_200, 100_000, 100_100),
    ])
    expect(ofType(j, 'OrderExpired').map((e) => e.payload.orderId)).toEqual([`${RUN_ID}-9-SL`, `${RUN_ID}-9-TP`])
    const replaced = ofType(j, 'OrderRequested').filter((e) => e.ts === nextDay + MINUTE && e.payload.protects)
    expect(replaced.map((e) => [e.payload.protects, e.payload.qty, e.payload.product])).toEqual([
      ['stop-loss', 10, 'D'],
      ['take-profit', 10, 'D'],
    ])
  })

  it('denied by the order rate limit, they are asked for again at the first price a second later', () => {
    const j = cascadeJournal(engine, [
      ...setup(RESTING, [limits({ maxOrdersPerSecond: 1 })]),
      ...entered(),
      bar(2, 100_100, 100_200, 100_000, 100_100),
    ])
    // The stop fills the window of the fill's second; the target is denied, and placed at the next bar.
    expect(ofType(j, 'OrderDenied').map((e) => [e.payload.orderId, e.payload.rule])).toEqual([
      [`${RUN_ID}-10-TP`, 'OrderRate'],
    ])
    expect(restingRequests(j)).toEqual([
      ['stop-loss', 'SL-M', 'SELL', 10, 98_000],
      ['take-profit', 'LIMIT', 'SELL', 10, 103_000],
      ['take-profit', 'LIMIT', 'SELL', 10, 103_000],
    ])
    expect(ofType(j, 'OrderAccepted').at(-1)?.payload.orderId).toMatch(/-TP$/)
  })

  it("an operator's kill switch cancels them with everything else, and its release places them again", () => {
    const j = cascadeJournal(engine, [
      ...setup(),
      ...entered(),
      killSwitchEngaged('global', undefined, {}, T0 + 2 * MINUTE),
      bar(3, 100_000, 100_100, 97_000, 99_000),
      killSwitchReleased('global', undefined, {}, T0 + 4 * MINUTE),
    ])
    expect(ofType(j, 'OrderCancelled').map((e) => e.payload.orderId)).toEqual([`${RUN_ID}-9-SL`, `${RUN_ID}-9-TP`])
    // While halted the stop was not there to fill at 980.00.
    expect(fillsOf(j)).toHaveLength(1)
    expect(restingRequests(j).slice(2)).toEqual([
      ['stop-loss', 'SL-M', 'SELL', 10, 98_000],
      ['take-profit', 'LIMIT', 'SELL', 10, 103_000],
    ])
    expect(ofType(j, 'OrderDenied')).toEqual([])
  })

  it("a rule's kill switch (reduce-only) leaves them working", () => {
    const j = cascadeJournal(engine, [
      ...setup(),
      ...entered(),
      killSwitchEngaged('global', undefined, { source: 'rule', rule: 'Drawdown' }, T0 + 2 * MINUTE),
      bar(3, 100_000, 100_100, 97_000, 99_000),
    ])
    // The only cancel is the target's, once the stop has filled.
    expect(ofType(j, 'OrderCancelRequested').map((e) => [e.payload.orderId, e.payload.reason])).toEqual([
      [`${RUN_ID}-9-TP`, 'take-profit: the position is flat'],
    ])
    expect(fillsOf(j).at(-1)).toEqual([`${RUN_ID}-9-SL`, 'SELL', 10, 98_000])
  })
})

describe('a resting trailing stop is moved, not replaced', () => {
  const TRAIL: ExitConfig = { trailingStopPct: 2, resting: true }
  /** Closes at 1050.00 (the best so far) without reaching 980.00. */
  const rise = bar(2, 101_000, 105_200, 100_800, 105_000)

  const modifiesOf = (j: readonly Envelope[]) =>
    ofType(j, 'OrderModifyRequested').map((e) => [e.payload.orderId, e.payload.triggerPricePaise, e.payload.reason])

  it('given a 2% trail, a long 10 filled at 1000.00 gets a SELL SL-M at 980.00, 2% below the best price (the fill)', () => {
    const j = cascadeJournal(engine, [...setup(TRAIL), ...entered()])
    expect(restingRequests(j)).toEqual([['stop-loss', 'SL-M', 'SELL', 10, 98_000]])
    expect(ofType(j, 'OrderRequested').at(-1)?.payload.reason).toBe(
      'trailing-stop: resting SL-M at 980.00, 2% below the best 1000.00',
    )
  })

  it('when a bar closes at a new best of 1050.00, the stop is moved to 1029.00 and the venue confirms it', () => {
    const j = cascadeJournal(engine, [...setup(TRAIL), ...entered(), rise])
    expect(modifiesOf(j)).toEqual([
      [`${RUN_ID}-9-SL`, 102_900, 'trailing-stop: resting SL-M moved to 1029.00, 2% below the best 1050.00'],
    ])
    const modified = ofType(j, 'OrderModified')
    expect(modified.map((e) => [e.payload.orderId, e.payload.triggerPricePaise])).toEqual([[`${RUN_ID}-9-SL`, 102_900]])
    // Caused by its request, which the bar caused.
    const asked = ofType(j, 'OrderModifyRequested')[0]!
    expect(modified[0]!.causationId).toBe(asked.seq)
    expect(j.find((e) => e.seq === asked.causationId)?.type).toBe('BarClosed')
    // Moved, not replaced: one stop order only.
    expect(restingRequests(j)).toHaveLength(1)
    expect(ofType(j, 'OrderCancelRequested')).toEqual([])
  })

  it('a bar falling through 1029.00 then fills it there, with the moved reason, and no ExitTriggered on the close', () => {
    const j = cascadeJournal(engine, [...setup(TRAIL), ...entered(), rise, bar(3, 104_500, 104_600, 102_000, 102_500)])
    expect(fillsOf(j).at(-1)).toEqual([`${RUN_ID}-9-SL`, 'SELL', 10, 102_900])
    expect(ofType(j, 'ExitTriggered')).toEqual([])
    expect(positionOf(j)).toBe(0)
    const s = engine.initialState()
    for (const e of j) engine.evolve(s, e)
    expect(s.trading.orders.orders.get(`${RUN_ID}-9-SL`)?.reason).toBe(
      'trailing-stop: resting SL-M moved to 1029.00, 2% below the best 1050.00',
    )
  })

  it('it never moves back: a lower close after the best leaves it where it is', () => {
    const j = cascadeJournal(engine, [...setup(TRAIL), ...entered(), rise, bar(3, 104_500, 104_600, 103_500, 104_000)])
    expect(modifiesOf(j).map((m) => m[1])).toEqual([102_900])
    expect(fillsOf(j)).toHaveLength(1)
  })

  it('with a 1% stop loss too, the stop starts at the tighter 990.00 and the trail takes over once it is tighter', () => {
    const j = cascadeJournal(engine, [
      ...setup({ stopLossPct: 1, trailingStopPct: 2, resting: true }),
      ...entered(),
      rise,
    ])
    expect(ofType(j, 'OrderRequested').at(-1)?.payload.reason).toBe(
      'stop-loss: resting SL-M at 990.00, 1% below the 1000.00 entry',
    )
    expect(restingRequests(j)).toEqual([['stop-loss', 'SL-M', 'SELL', 10, 99_000]])
    expect(modifiesOf(j).map((m) => m[1])).toEqual([102_900])
  })

  it('a short trails down: a close at a new low of 950.00 moves its BUY stop from 1020.00 to 969.00', () => {
    const j = cascadeJournal(engine, [...setup(TRAIL), ...entered('SHORT'), bar(2, 99_000, 99_200, 94_800, 95_000)])
    expect(restingRequests(j)).toEqual([['stop-loss', 'SL-M', 'BUY', 10, 102_000]])
    expect(modifiesOf(j).map((m) => [m[1], m[2]])).toEqual([
      [96_900, 'trailing-stop: resting SL-M moved to 969.00, 2% above the best 950.00'],
    ])
  })

  it('prices less than a second after the last move do not move it again (live, every tick would ask)', () => {
    const t = T0 + 2 * MINUTE
    const j = cascadeJournal(engine, [
      ...setup(TRAIL),
      ...entered(),
      tickReceived(RELIANCE, 103_000, t),
      tickReceived(RELIANCE, 104_000, t + 400),
      tickReceived(RELIANCE, 105_000, t + 1_000),
    ])
    expect(ofType(j, 'OrderModifyRequested').map((e) => [e.ts - t, e.payload.triggerPricePaise])).toEqual([
      [0, 100_940],
      [1_000, 102_900],
    ])
  })

  it('on close (without `resting`) the same prices trigger an exit at the close instead, and no order rests', () => {
    const j = cascadeJournal(engine, [
      ...setup({ trailingStopPct: 2 }),
      ...entered(),
      rise,
      bar(3, 104_500, 104_600, 102_000, 102_500),
    ])
    expect(ofType(j, 'ExitTriggered').map((e) => e.payload.exit)).toEqual(['trailing-stop'])
    expect(restingRequests(j)).toEqual([])
    expect(ofType(j, 'OrderModifyRequested')).toEqual([])
  })
})

describe('live, a stop and its target that both fill (the OCO race at Upstox)', () => {
  it('the second fill takes the position past flat: what is past flat is flattened at once, and no exits rest for it', () => {
    const id = (n: number, leg = '') => `${RUN_ID}-${n}${leg}`
    const j = cascadeJournal(engine, [
      runStarted({ broker: 'upstox' }), // 1
      strategyConfigured({ instruments: [], exits: RESTING }), // 2
      signalEmitted({ intent: 'LONG', qty: 10 }), // 3 -> order run-1-3 (4), submitted (5)
      orderAccepted(id(3)), // 6
      orderFilled({ orderId: id(3), side: 'BUY', fillQty: 10, fillPricePaise: 100_000 }), // 7 -> stop and target
      orderAccepted(id(7, '-SL')),
      orderAccepted(id(7, '-TP')),
      // The target fills; the stop's cancel is asked for, but the venue fills the stop before it lands.
      orderFilled({ orderId: id(7, '-TP'), side: 'SELL', fillQty: 10, fillPricePaise: 103_000 }),
      orderFilled({ orderId: id(7, '-SL'), side: 'SELL', fillQty: 10, fillPricePaise: 98_000 }),
    ])
    const last = j.findLastIndex((e) => e.type === 'OrderFilled')
    const after = j.slice(last + 1)
    expect(after.map((e) => e.type)).toEqual(['ExitTriggered', 'OrderRequested', 'OrderSubmitted'])
    const exit = after[0]!
    expect(exit.type === 'ExitTriggered' && [exit.payload.exit, exit.payload.reason, exit.causationId]).toEqual([
      'overfill',
      'the stop-loss SELL 10 at 980.00 filled past flat: -10 to flatten',
      j[last]!.seq,
    ])
    const flatten = after[1]!
    expect(
      flatten.type === 'OrderRequested' && [
        flatten.payload.side,
        flatten.payload.qty,
        flatten.payload.orderType,
        flatten.payload.protects,
      ],
    ).toEqual(['BUY', 10, 'MARKET', undefined])
    expect(positionOf(j)).toBe(-10)
    // Once it fills, the position is flat and nothing rests.
    if (flatten.type !== 'OrderRequested') throw new Error('no flatten order')
    const s = engine.initialState()
    for (const e of j) engine.evolve(s, e)
    const { orderId } = flatten.payload
    const flattened = cascadeJournal(
      engine,
      [orderAccepted(orderId), orderFilled({ orderId, side: 'BUY', fillQty: 10, fillPricePaise: 98_000 })],
      s,
    )
    expect(flattened.filter((e) => e.type === 'OrderRequested')).toEqual([])
    expect(s.trading.portfolio.positions.get(positionKey(STREAK_A, RELIANCE))?.qty).toBe(0)
    expect([...s.trading.orders.working.values()].filter((o) => o.protects !== undefined)).toEqual([])
  })

  it('its flatten order denied (the order rate), it is asked for again at the next price, and no exits rest meanwhile', () => {
    const id = (n: number, leg = '') => `${RUN_ID}-${n}${leg}`
    const j = cascadeJournal(engine, [
      runStarted({ broker: 'upstox' }),
      // The entry, its stop and its target fill the window of T0's second.
      limits({ maxOrdersPerSecond: 3 }),
      strategyConfigured({ instruments: [], exits: RESTING }), // 3
      signalEmitted({ intent: 'LONG', qty: 10 }), // 4 -> order run-1-4
      orderAccepted(id(4)),
      orderFilled({ orderId: id(4), side: 'BUY', fillQty: 10, fillPricePaise: 100_000 }), // 8 -> stop and target
      orderAccepted(id(8, '-SL')),
      orderAccepted(id(8, '-TP')),
      orderFilled({ orderId: id(8, '-TP'), side: 'SELL', fillQty: 10, fillPricePaise: 103_000 }),
      orderFilled({ orderId: id(8, '-SL'), side: 'SELL', fillQty: 10, fillPricePaise: 98_000 }),
      tickReceived(RELIANCE, 98_500, T0 + 400),
      tickReceived(RELIANCE, 98_600, T0 + 1_500),
    ])
    expect(ofType(j, 'ExitTriggered').map((e) => [e.ts - T0, e.payload.exit, e.payload.reason])).toEqual([
      [0, 'overfill', 'the stop-loss SELL 10 at 980.00 filled past flat: -10 to flatten'],
      [400, 'overfill', 'still -10 past flat after a resting exit overfilled: flattened again'],
      [1_500, 'overfill', 'still -10 past flat after a resting exit overfilled: flattened again'],
    ])
    // Denied while the window is full, submitted once it has cleared; never an exit resting for the short.
    const flattens = ofType(j, 'OrderRequested').filter((e) => e.payload.side === 'BUY' && e.ts > T0 - 1)
    const outcome = (orderId: string) =>
      j.find((e) => (e.type === 'OrderDenied' || e.type === 'OrderSubmitted') && e.payload.orderId === orderId)?.type
    expect(flattens.slice(1).map((e) => [e.ts - T0, outcome(e.payload.orderId)])).toEqual([
      [0, 'OrderDenied'],
      [400, 'OrderDenied'],
      [1_500, 'OrderSubmitted'],
    ])
    expect(restingRequests(j)).toEqual([
      ['stop-loss', 'SL-M', 'SELL', 10, 98_000],
      ['take-profit', 'LIMIT', 'SELL', 10, 103_000],
    ])
    // With its flatten order working, the next price asks nothing more.
    const s = engine.initialState()
    for (const e of j) engine.evolve(s, e)
    const next = { ...tickReceived(RELIANCE, 98_700, T0 + 2_000), seq: unsafe.seq(j.length + 1) } as Envelope
    expect(engine.step(s, next).decisions).toEqual([])
  })

  it('a stop that fills in part after the target left the position flat is flattened for that part', () => {
    const id = (n: number, leg = '') => `${RUN_ID}-${n}${leg}`
    const j = cascadeJournal(engine, [
      runStarted({ broker: 'upstox' }),
      strategyConfigured({ instruments: [], exits: RESTING }),
      signalEmitted({ intent: 'LONG', qty: 10 }),
      orderAccepted(id(3)),
      orderFilled({ orderId: id(3), side: 'BUY', fillQty: 10, fillPricePaise: 100_000 }),
      orderAccepted(id(7, '-SL')),
      orderAccepted(id(7, '-TP')),
      orderFilled({ orderId: id(7, '-TP'), side: 'SELL', fillQty: 10, fillPricePaise: 103_000 }),
      orderFilled({ orderId: id(7, '-SL'), side: 'SELL', fillQty: 4, fillPricePaise: 98_000 }),
    ])
    const requests = j.filter((e) => e.type === 'OrderRequested')
    const flatten = requests.at(-1)!
    expect(flatten.type === 'OrderRequested' && [flatten.payload.side, flatten.payload.qty]).toEqual(['BUY', 4])
    // The stop's rest was already being cancelled (the target's fill asked): not asked again.
    expect(j.filter((e) => e.type === 'OrderCancelRequested').map((e) => e.correlationId)).toEqual([id(7, '-SL')])
  })
})

describe('the simulated venue and modifications', () => {
  it('refuses to modify an order it does not have working', () => {
    given(engine, setup())
      .when({
        type: 'OrderModifyRequested',
        ts: T0,
        payload: { orderId: unsafe.orderId('nope'), triggerPricePaise: unsafeMoney.price(99_000), reason: 'test' },
      }) // seq 4
      .then([
        {
          type: 'OrderModifyRejected',
          ts: T0,
          causationId: seq(4),
          correlationId: 'nope',
          payload: { orderId: unsafe.orderId('nope'), reason: 'the order is unknown' },
        },
      ])
  })
})

describe('snapshots', () => {
  it('a state with resting exits and a pending retry restores to the same bytes, and decides the same next', () => {
    const j = cascadeJournal(engine, [...setup(RESTING, [limits({ maxOrdersPerSecond: 1 })]), ...entered()])
    const s = engine.initialState()
    for (const e of j) engine.evolve(s, e)
    const bytes = serializeEngineState(s)
    expect(bytes).toContain('"protects":"take-profit"')
    expect(bytes).toContain(`"retryFromMs":${T0 + MINUTE + 1000}`)
    const restored = fromEngineSnapshot({ strategies: createStrategyRegistry([streakStrategy]) }, JSON.parse(bytes))
    if (E.isLeft(restored)) throw new Error(restored.left)
    expect(serializeEngineState(restored.right)).toBe(bytes)
    // The retry is due at the next bar, in both.
    const next = { ...bar(2, 100_100, 100_200, 100_000, 100_100), seq: seq(j.length + 1) } as Envelope
    const a = engine.step(s, next).decisions
    expect(a.map((d) => d.type === 'OrderRequested' && d.payload.protects)).toEqual(['take-profit'])
    expect(engine.step(restored.right, next).decisions).toStrictEqual(a)
  })

  it('a trailing stop moved and the time of its move restore to the same bytes, and hold back the next move the same', () => {
    const t = T0 + 2 * MINUTE
    const j = cascadeJournal(engine, [
      ...setup({ trailingStopPct: 2, resting: true }),
      ...entered(),
      tickReceived(RELIANCE, 103_000, t),
    ])
    const s = engine.initialState()
    for (const e of j) engine.evolve(s, e)
    const bytes = serializeEngineState(s)
    expect(bytes).toContain(`"lastModifyTs":${t}`)
    expect(bytes).toContain('"triggerPricePaise":100940')
    const restored = fromEngineSnapshot({ strategies: createStrategyRegistry([streakStrategy]) }, JSON.parse(bytes))
    if (E.isLeft(restored)) throw new Error(restored.left)
    expect(serializeEngineState(restored.right)).toBe(bytes)
    // Half a second later a new best does not move it yet, in both; a second later it does, in both.
    for (const [dt, moves] of [
      [500, 0],
      [1_000, 1],
    ] as const) {
      const a = engine.initialState()
      const b = fromEngineSnapshot({ strategies: createStrategyRegistry([streakStrategy]) }, JSON.parse(bytes))
      if (E.isLeft(b)) throw new Error(b.left)
      for (const e of j) engine.evolve(a, e)
      const next = { ...tickReceived(RELIANCE, 105_000, t + dt), seq: seq(j.length + 1) } as Envelope
      const da = engine.step(a, next).decisions
      expect(da.filter((d) => d.type === 'OrderModifyRequested')).toHaveLength(moves)
      expect(engine.step(b.right, next).decisions).toStrictEqual(da)
    }
  })
})
