import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { EventDraft } from '../../domain/events/index.js'
import { unsafe } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import { decodeRiskLimits, type RiskLimits } from '../../domain/risk/index.js'
import { DAY_MS } from '../../domain/time/index.js'
import { type Draft, INFY, oid, orderFilled, orderRequested, RELIANCE, T0 } from '../orders/orderBook.fixtures.js'
import { given } from './deciderSpec.js'
import { killSwitchEngaged, killSwitchReleased, runStarted, streakEngine, tickReceived } from './engine.fixtures.js'

// Known answers for each risk rule and for the automatic kill switch, as given/when/then on events.

const engine = streakEngine()
const seq = unsafe.seq

const limits = (l: RiskLimits, ts = T0): Draft<'RiskLimitsConfigured'> => ({
  type: 'RiskLimitsConfigured',
  ts,
  payload: { limits: l },
})

/** A filled order: the strategy now holds `qty` (signed by side) at `price`. */
const holding = (
  orderId: string,
  side: 'BUY' | 'SELL',
  qty: number,
  price: number,
  instrumentKey = RELIANCE,
  ts = T0,
): EventDraft[] => [
  orderRequested({ orderId, side, qty, instrumentKey }, ts),
  orderFilled({ orderId, side, fillQty: qty, fillPricePaise: price, instrumentKey }, ts),
]

const decisionOf = (events: readonly EventDraft[], when: EventDraft) => given(engine, events).when(when).decisions

const denial = (decisions: readonly EventDraft[]) => {
  expect(decisions).toHaveLength(1)
  const d = decisions[0]!
  expect(d.type).toBe('OrderDenied')
  return d.type === 'OrderDenied' ? d.payload : undefined
}

describe('MaxQty', () => {
  const start = [runStarted(), limits({ maxQty: 50 }), ...holding('o1', 'BUY', 40, 100_000)]

  it('denies a buy that would take the position past the limit, naming value and limit', () => {
    expect(denial(decisionOf(start, orderRequested({ orderId: 'o2', side: 'BUY', qty: 20 })))).toEqual({
      orderId: oid('o2'),
      rule: 'MaxQty',
      reason: 'position would be 60 NSE_EQ|INE002A01018, limit 50',
      value: 60,
      limit: 50,
    })
  })

  it('counts working orders: 40 held + 10 working + 5 more is over 50', () => {
    const d = decisionOf(
      [...start, orderRequested({ orderId: 'o2', side: 'BUY', qty: 10 })],
      orderRequested({ orderId: 'o3', qty: 5 }),
    )
    expect(denial(d)?.value).toBe(55)
  })

  it('passes a reducing order, and a per-instrument override raises the limit', () => {
    expect(decisionOf(start, orderRequested({ orderId: 'o2', side: 'SELL', qty: 20 }))[0]?.type).toBe('OrderSubmitted')
    const raised = [...start, limits({ maxQty: 50, instruments: { [RELIANCE]: { maxQty: 100 } } })]
    expect(decisionOf(raised, orderRequested({ orderId: 'o2', side: 'BUY', qty: 20 }))[0]?.type).toBe('OrderSubmitted')
  })

  it('a reversal through zero is judged by the size of the new position', () => {
    // 40 long, sell 100: 60 short, more than 50.
    expect(denial(decisionOf(start, orderRequested({ orderId: 'o2', side: 'SELL', qty: 100 })))?.value).toBe(60)
  })
})

describe('MaxNotional', () => {
  const start = [runStarted(), limits({ maxNotionalPaise: 1_000_000 }), tickReceived(RELIANCE, 100_000)]

  it('denies 11 x 1000.00 INR (11,000.00 > 10,000.00 INR) at the last mark', () => {
    expect(denial(decisionOf(start, orderRequested({ orderId: 'o1', qty: 11 })))).toEqual({
      orderId: oid('o1'),
      rule: 'MaxNotional',
      reason: 'position value would be 11000.00 INR, limit 10000.00 INR',
      value: 1_100_000,
      limit: 1_000_000,
    })
  })

  it('judges a limit order at its limit price: 11 x 900.00 INR passes', () => {
    const req = orderRequested({ orderId: 'o1', qty: 11, orderType: 'LIMIT' })
    const limitOrder = { ...req, payload: { ...req.payload, limitPricePaise: unsafeMoney.price(90_000) } }
    expect(decisionOf(start, limitOrder)[0]?.type).toBe('OrderSubmitted')
  })
})

describe('GrossExposure', () => {
  it('adds the order to the exposure in every other instrument', () => {
    const start = [
      runStarted(),
      limits({ maxGrossExposurePaise: 2_000_000 }),
      tickReceived(RELIANCE, 100_000),
      tickReceived(INFY, 150_000),
      ...holding('o1', 'BUY', 10, 100_000),
    ]
    // 10 x 1000 (RELIANCE) + 10 x 1500 (INFY) = 25,000 INR > 20,000 INR
    const d = denial(decisionOf(start, orderRequested({ orderId: 'o2', qty: 10, instrumentKey: INFY })))
    expect(d).toMatchObject({ rule: 'GrossExposure', value: 2_500_000, limit: 2_000_000 })
    // 6 x 1500 = 9,000: 19,000 INR passes
    expect(decisionOf(start, orderRequested({ orderId: 'o2', qty: 6, instrumentKey: INFY }))[0]?.type).toBe(
      'OrderSubmitted',
    )
  })
})

describe('DailyTrades', () => {
  const start = [
    runStarted(),
    limits({ maxDailyTrades: 2 }),
    ...holding('o1', 'BUY', 10, 100_000),
    ...holding('o2', 'BUY', 10, 100_000),
  ]

  it('after two trades today, denies an opening order but passes a reducing one', () => {
    expect(denial(decisionOf(start, orderRequested({ orderId: 'o3', qty: 1 })))).toMatchObject({
      rule: 'DailyTrades',
      value: 2,
      limit: 2,
    })
    expect(decisionOf(start, orderRequested({ orderId: 'o3', side: 'SELL', qty: 5 }))[0]?.type).toBe('OrderSubmitted')
  })

  it('counts again from zero on the next IST day', () => {
    expect(decisionOf(start, orderRequested({ orderId: 'o3', qty: 1 }, T0 + DAY_MS))[0]?.type).toBe('OrderSubmitted')
  })
})

describe('the automatic kill switch: daily loss and drawdown', () => {
  // 10,00,000 INR capital; 100 RELIANCE bought at 1000.00.
  const start = [
    runStarted({ capitalPaise: 100_000_000 }),
    limits({ maxDailyLossPaise: 500_000 }),
    tickReceived(RELIANCE, 100_000),
    ...holding('o1', 'BUY', 100, 100_000),
  ]

  it('given a 6,000 INR fall with a 5,000 INR daily limit, when the price arrives, then the breach and a reduce-only global kill switch are recorded', () => {
    given(engine, start)
      .when(tickReceived(RELIANCE, 94_000, T0 + 1000)) // seq 6
      .then([
        {
          type: 'RiskLimitBreached',
          ts: T0 + 1000,
          causationId: seq(6),
          payload: {
            scope: 'global',
            rule: 'DailyLoss',
            value: 600_000,
            limit: 500_000,
            reason: 'loss today 6000.00 INR reached the 5000.00 INR limit',
          },
        },
        {
          type: 'KillSwitchEngaged',
          ts: T0 + 1000,
          causationId: seq(6),
          payload: {
            scope: 'global',
            source: 'rule',
            reason: 'DailyLoss: loss today 6000.00 INR reached the 5000.00 INR limit',
            rule: 'DailyLoss',
          },
        },
      ])
  })

  // Halted by the DailyLoss rule at seq 6 (T0 + 1000), still holding 100 at 940.00.
  const halted = [
    ...start,
    tickReceived(RELIANCE, 94_000, T0 + 1000),
    {
      type: 'RiskLimitBreached',
      ts: T0 + 1000,
      payload: { scope: 'global', rule: 'DailyLoss', value: 600_000, limit: 500_000, reason: 'loss' },
    } satisfies Draft<'RiskLimitBreached'>,
    killSwitchEngaged('global', undefined, { source: 'rule', reason: 'DailyLoss: loss', rule: 'DailyLoss' }, T0 + 1000),
  ]

  it('given a DailyLoss halt, when the first price of the next IST day arrives, then the rule releases the switch and new exposure passes again', () => {
    const nextDay = T0 + DAY_MS
    const out = given(engine, halted).when(tickReceived(RELIANCE, 94_000, nextDay)) // seq 9
    out.then([
      {
        type: 'KillSwitchReleased',
        ts: nextDay,
        causationId: seq(9),
        payload: {
          scope: 'global',
          source: 'rule',
          reason: 'a new IST trading day: the daily loss limit starts again (engaged at seq 8: DailyLoss: loss)',
        },
      },
    ])
    const released = [...halted, tickReceived(RELIANCE, 94_000, nextDay), ...out.decisions]
    expect(decisionOf(released, orderRequested({ orderId: 'o2', qty: 1 }, nextDay))[0]?.type).toBe('OrderSubmitted')
  })

  it('later on the same IST day the DailyLoss halt stays, even when the price recovers', () => {
    given(engine, halted)
      .when(tickReceived(RELIANCE, 100_000, T0 + 60_000))
      .thenNothingHappened()
  })

  it('a rule switch without a rule (a journal from before the field) is not released: old journals replay as recorded', () => {
    const old = [...start, killSwitchEngaged('global', undefined, { source: 'rule', reason: 'DailyLoss: loss' })]
    given(engine, old)
      .when(tickReceived(RELIANCE, 94_000, T0 + DAY_MS))
      .thenNothingHappened()
  })

  it('a drawdown still past its limit on the new day engages the switch again, after the release', () => {
    const both = [
      runStarted({ capitalPaise: 100_000_000 }),
      limits({ maxDailyLossPaise: 500_000, maxDrawdownPaise: 550_000 }),
      ...start.slice(2),
      tickReceived(RELIANCE, 94_000, T0 + 1000),
      killSwitchEngaged(
        'global',
        undefined,
        { source: 'rule', reason: 'DailyLoss: loss', rule: 'DailyLoss' },
        T0 + 1000,
      ),
    ]
    const out = given(engine, both).when(tickReceived(RELIANCE, 94_000, T0 + DAY_MS))
    expect(out.decisions.map((d) => d.type)).toEqual(['KillSwitchReleased', 'RiskLimitBreached', 'KillSwitchEngaged'])
    expect(out.decisions[2]?.payload).toMatchObject({ source: 'rule', rule: 'Drawdown' })
  })

  it('a Drawdown halt is not released by a new day: only an operator releases it', () => {
    const dd = [
      ...start,
      killSwitchEngaged('global', undefined, { source: 'rule', reason: 'Drawdown: dd', rule: 'Drawdown' }),
    ]
    given(engine, dd)
      .when(tickReceived(RELIANCE, 94_000, T0 + DAY_MS))
      .thenNothingHappened()
  })

  it('with the switch released by an operator, the DailyLoss rule still denies new exposure that day, naming value and limit', () => {
    const operatorReleased = [
      ...halted,
      killSwitchReleased('global', undefined, { source: 'operator', reason: 'go' }, T0 + 2000),
    ]
    expect(denial(decisionOf(operatorReleased, orderRequested({ orderId: 'o2', qty: 1 }, T0 + 3000)))).toEqual({
      orderId: oid('o2'),
      rule: 'DailyLoss',
      reason: 'loss today 6000.00 INR, limit 5000.00 INR',
      value: 600_000,
      limit: 500_000,
    })
    expect(
      decisionOf(operatorReleased, orderRequested({ orderId: 'o2', side: 'SELL', qty: 100 }, T0 + 3000))[0]?.type,
    ).toBe('OrderSubmitted')
  })

  it('a 4,000 INR fall stays within the limit: nothing happens', () => {
    given(engine, start)
      .when(tickReceived(RELIANCE, 96_000, T0 + 1000))
      .thenNothingHappened()
  })

  it('once engaged by the rule, exits pass and new exposure is denied; it is not engaged twice', () => {
    const halted = [
      ...start,
      tickReceived(RELIANCE, 94_000),
      killSwitchEngaged('global', undefined, { source: 'rule', reason: 'DailyLoss' }),
    ]
    expect(decisionOf(halted, orderRequested({ orderId: 'o2', side: 'SELL', qty: 100 }))[0]?.type).toBe(
      'OrderSubmitted',
    )
    expect(denial(decisionOf(halted, orderRequested({ orderId: 'o2', qty: 1 })))?.rule).toBe('KillSwitch')
    given(engine, halted).when(tickReceived(RELIANCE, 90_000)).thenNothingHappened()
  })

  it('an operator kill switch halts exits too', () => {
    const halted = [...start, killSwitchEngaged('global', undefined, { source: 'operator', reason: 'stop' })]
    expect(denial(decisionOf(halted, orderRequested({ orderId: 'o2', side: 'SELL', qty: 100 })))?.rule).toBe(
      'KillSwitch',
    )
  })

  it('drawdown from the peak breaches too: up 2,000 then down 3,500 with a 3,000 INR limit', () => {
    const dd = [
      runStarted({ capitalPaise: 100_000_000 }),
      limits({ maxDrawdownPaise: 300_000 }),
      tickReceived(RELIANCE, 100_000),
      ...holding('o1', 'BUY', 100, 100_000),
      tickReceived(RELIANCE, 102_000),
    ]
    const out = given(engine, dd).when(tickReceived(RELIANCE, 98_500, T0 + 1000))
    expect(out.decisions.map((d) => d.type)).toEqual(['RiskLimitBreached', 'KillSwitchEngaged'])
    expect(out.decisions[0]?.type === 'RiskLimitBreached' && out.decisions[0].payload).toMatchObject({
      rule: 'Drawdown',
      value: 350_000,
      limit: 300_000,
    })
  })

  it('with no switch engaged (an operator released it), the Drawdown rule denies new exposure, naming value and limit', () => {
    const dd = [
      runStarted({ capitalPaise: 100_000_000 }),
      limits({ maxDrawdownPaise: 300_000 }),
      tickReceived(RELIANCE, 100_000),
      ...holding('o1', 'BUY', 100, 100_000),
      tickReceived(RELIANCE, 102_000),
      tickReceived(RELIANCE, 98_500, T0 + 1000),
    ]
    expect(denial(decisionOf(dd, orderRequested({ orderId: 'o2', qty: 1 }, T0 + 2000)))).toEqual({
      orderId: oid('o2'),
      rule: 'Drawdown',
      reason: 'drawdown 3500.00 INR, limit 3000.00 INR',
      value: 350_000,
      limit: 300_000,
    })
  })
})

describe('decodeRiskLimits: limits are configuration, validated with clear errors', () => {
  it('accepts known limits, including per-instrument overrides', () => {
    const l = { maxQty: 100, maxDailyLossPaise: 500_000, instruments: { [RELIANCE]: { maxNotionalPaise: 10_000_000 } } }
    expect(decodeRiskLimits(l)).toEqual(E.right(l))
  })

  it('refuses unknown names, at the top and per instrument, naming them', () => {
    expect(decodeRiskLimits({ maxQtyy: 5 })).toEqual(E.left(expect.stringContaining('unknown risk limit(s): maxQtyy')))
    expect(decodeRiskLimits({ instruments: { [RELIANCE]: { maxQtyy: 5 } } })).toEqual(
      E.left(`instruments.${RELIANCE}: unknown limit(s): maxQtyy (known: maxQty, maxNotionalPaise)`),
    )
  })

  it('refuses bad values with the field, the expectation and the value', () => {
    expect(decodeRiskLimits({ maxDailyTrades: 0 })).toEqual(E.left('maxDailyTrades: expected PositiveInt, got 0'))
    expect(decodeRiskLimits({ maxNotionalPaise: 12.5 })).toEqual(
      E.left('maxNotionalPaise: expected PositiveInt, got 12.5'),
    )
    expect(decodeRiskLimits([])).toEqual(E.left('risk limits must be a JSON object'))
    // the order-rate window holds 64 submissions: a higher limit could never be enforced
    expect(decodeRiskLimits({ maxOrdersPerSecond: 64 })).toEqual(E.right({ maxOrdersPerSecond: 64 }))
    expect(decodeRiskLimits({ maxOrdersPerSecond: 65 })).toEqual(
      E.left('maxOrdersPerSecond: at most 64 can be checked (Upstox allows 10 a second), got 65'),
    )
  })
})
