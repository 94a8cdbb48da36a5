import { describe, expect, it } from 'vitest'
import type { EventDraft } from '../../domain/events/index.js'
import { unsafe } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import {
  orderAccepted,
  orderFilled,
  orderRequested,
  orderSubmitted,
  RELIANCE,
  STREAK_A,
  T0,
} from '../orders/orderBook.fixtures.js'
import { given } from './deciderSpec.js'
import {
  barClosed,
  cascadeJournal,
  MINUTE,
  runStarted,
  signalEmitted,
  strategyConfigured,
  streakEngine,
} from './engine.fixtures.js'

// Known answers for each built-in exit, as given/when/then on events. T0 is 09:15 IST on 2025-01-02.

const engine = streakEngine()
const seq = unsafe.seq

/** The strategy holds `qty` (signed) RELIANCE at `price`, with these exits. */
const holding = (qty: number, price: number, exits: Parameters<typeof strategyConfigured>[0] = {}): EventDraft[] => [
  runStarted(),
  strategyConfigured({ ...exits, instruments: [] }),
  orderRequested({ orderId: 'o1', side: qty > 0 ? 'BUY' : 'SELL', qty: Math.abs(qty) }),
  orderSubmitted('o1'),
  orderAccepted('o1'),
  orderFilled({ orderId: 'o1', side: qty > 0 ? 'BUY' : 'SELL', fillQty: Math.abs(qty), fillPricePaise: price }),
]

const closeAt = (close: number, ts = T0 + MINUTE) => barClosed(RELIANCE, { open: close, close }, ts)

const exitOf = (exit: string, reason: string, price: number, causation: number, ts = T0 + MINUTE): EventDraft => ({
  type: 'ExitTriggered',
  ts,
  causationId: seq(causation),
  payload: {
    strategyId: STREAK_A,
    instrumentKey: RELIANCE,
    exit: exit as never,
    reason,
    pricePaise: unsafeMoney.price(price),
  },
})

describe('stop loss and take profit, against the average entry', () => {
  it('given long 10 at 1000.00 with a 2% stop, when a bar closes at 980.00, then the stop fires', () => {
    given(engine, holding(10, 100_000, { exits: { stopLossPct: 2 } }))
      .when(closeAt(98_000)) // seq 7
      .then([exitOf('stop-loss', '980.00 is 2% against the 1000.00 entry (stop 2%)', 98_000, 7)])
  })

  it('a close at 981.00 (1.9%) does not fire it', () => {
    given(engine, holding(10, 100_000, { exits: { stopLossPct: 2 } }))
      .when(closeAt(98_100))
      .thenNothingHappened()
  })

  it('given short 10 at 1000.00 with a 3% target, when a bar closes at 970.00, then take profit fires', () => {
    given(engine, holding(-10, 100_000, { exits: { takeProfitPct: 3 } }))
      .when(closeAt(97_000))
      .then([exitOf('take-profit', '970.00 is 3% beyond the 1000.00 entry (target 3%)', 97_000, 7)])
  })

  it('an exit becomes the order that flattens the position, with the exit in its reason', () => {
    const out = given(engine, holding(10, 100_000, { exits: { stopLossPct: 2 } })).when(
      exitOf('stop-loss', '980.00 is 2% against the 1000.00 entry (stop 2%)', 98_000, 6),
    )
    expect(out.decisions).toHaveLength(1)
    const order = out.decisions[0]
    expect(order?.type === 'OrderRequested' && order.payload).toMatchObject({
      side: 'SELL',
      qty: 10,
      reason: 'FLAT (held 10): stop-loss: 980.00 is 2% against the 1000.00 entry (stop 2%)',
    })
  })
})

describe('trailing stop, against the best price since entry', () => {
  it('given long at 1000.00 that rose to 1050.00, when it falls to 1028.00 (2.1% off the best), then a 2% trail fires', () => {
    given(engine, holding(10, 100_000, { exits: { trailingStopPct: 2 } }))
      .andStepped([closeAt(105_000)])
      .when(closeAt(102_800, T0 + 2 * MINUTE)) // seq 8
      .then([exitOf('trailing-stop', '1028.00 is 2.1% off the best 1050.00 (trail 2%)', 102_800, 8, T0 + 2 * MINUTE)])
  })

  it('the best price of a short is its lowest', () => {
    const out = given(engine, holding(-10, 100_000, { exits: { trailingStopPct: 1 } }))
      .andStepped([closeAt(95_000)])
      .when(closeAt(96_000, T0 + 2 * MINUTE))
    expect(out.decisions.map((d) => d.type === 'ExitTriggered' && d.payload.reason)).toEqual([
      '960.00 is 1.05% off the best 950.00 (trail 1%)',
    ])
  })
})

describe('intraday square-off', () => {
  const at1515 = T0 + 6 * 60 * MINUTE // 09:15 + 6 h = 15:15 IST

  it('by default, at 15:15 IST, an open position is squared off', () => {
    given(engine, holding(10, 100_000))
      .when(closeAt(100_500, at1515))
      .then([exitOf('square-off', 'intraday square-off at 15:15 IST', 100_500, 7, at1515)])
  })

  it('a configured time is used, and off switches it off', () => {
    given(engine, holding(10, 100_000, { exits: { squareOff: '15:20' } }))
      .when(closeAt(100_500, at1515))
      .thenNothingHappened()
    given(engine, holding(10, 100_000, { exits: { squareOff: 'off' } }))
      .when(closeAt(100_500, at1515 + 10 * MINUTE))
      .thenNothingHappened()
  })

  it('after the square-off, a signal that opens a position is denied by the SquareOff rule; one that closes passes', () => {
    const after = [runStarted(), strategyConfigured({ instruments: [] })]
    const open = cascadeJournal(engine, [...after, { ...signalEmitted({ intent: 'LONG', qty: 5 }, at1515 + MINUTE) }])
    expect(open.filter((e) => e.type === 'OrderDenied').map((e) => e.type === 'OrderDenied' && e.payload.rule)).toEqual(
      ['SquareOff'],
    )
  })
})

describe('an exit in flight is not asked for twice, and the cascade flattens the position', () => {
  it('a stop fires once, its order fills at the next open, and the position is flat', () => {
    const j = cascadeJournal(engine, [
      ...holding(10, 100_000, { exits: { stopLossPct: 2 } }),
      closeAt(97_000),
      closeAt(96_000, T0 + 2 * MINUTE),
      closeAt(95_000, T0 + 3 * MINUTE),
    ])
    expect(j.filter((e) => e.type === 'ExitTriggered')).toHaveLength(1)
    const fills = j.filter((e) => e.type === 'OrderFilled')
    expect(
      fills.map((e) => e.type === 'OrderFilled' && [e.payload.side, e.payload.fillQty, e.payload.fillPricePaise]),
    ).toEqual([
      ['BUY', 10, 100_000],
      ['SELL', 10, 96_000],
    ])
  })
})
