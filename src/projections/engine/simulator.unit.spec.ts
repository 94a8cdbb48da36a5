import { describe, expect, it } from 'vitest'
import { createSeededRandom } from '../../adapters/synthetic/index.js'
import { equityCharges, scheduleOn, UPSTOX_EQUITY_SCHEDULES } from '../../domain/charges/index.js'
import type { Envelope, EventDraft, OrderType, SimulatorConfig, Validity } from '../../domain/events/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import { istDateOf } from '../../domain/time/index.js'
import {
  type Draft,
  orderAccepted,
  orderRequested,
  orderSubmitted,
  RELIANCE,
  T0,
} from '../orders/orderBook.fixtures.js'
import { barClosed, cascadeJournal, MINUTE, runStarted, streakEngine, tickReceived } from './engine.fixtures.js'
import { DEFAULT_SIMULATOR_CONFIG } from './simulator.js'

// Known answers for each fill model feature: a working order, then bars; what fills, at what price, how much.

const configured = (c: Partial<SimulatorConfig>): Draft<'SimulatorConfigured'> => ({
  type: 'SimulatorConfigured',
  ts: T0,
  payload: { config: { ...DEFAULT_SIMULATOR_CONFIG, ...c } },
})

interface OrderSpec {
  readonly side?: 'BUY' | 'SELL'
  readonly qty?: number
  readonly orderType?: OrderType
  readonly limit?: number
  readonly trigger?: number
  readonly validity?: Validity
}

/** An order requested, submitted and accepted at T0. */
const working = (o: OrderSpec): EventDraft[] => {
  const req = orderRequested({
    orderId: 'o1',
    side: o.side ?? 'BUY',
    qty: o.qty ?? 10,
    orderType: o.orderType ?? 'MARKET',
  })
  const payload = {
    ...req.payload,
    ...(o.limit === undefined ? {} : { limitPricePaise: unsafeMoney.price(o.limit) }),
    ...(o.trigger === undefined ? {} : { triggerPricePaise: unsafeMoney.price(o.trigger) }),
    ...(o.validity === undefined ? {} : { validity: o.validity }),
  }
  return [{ ...req, payload }, orderSubmitted('o1'), orderAccepted('o1')]
}

/** A bar with explicit OHLC and volume, closing `n` minutes after T0. */
const bar = (n: number, o: number, h: number, l: number, c: number, volume = 1_000_000): EventDraft => {
  const b = barClosed(RELIANCE, { open: o, close: c }, T0 + n * MINUTE)
  return b.type === 'BarClosed'
    ? { ...b, payload: { ...b.payload, highPaise: unsafeMoney.price(h), lowPaise: unsafeMoney.price(l), volume } }
    : b
}

const run = (c: Partial<SimulatorConfig>, order: OrderSpec, prices: readonly EventDraft[], seed = 1): Envelope[] =>
  cascadeJournal(streakEngine(), [
    { ...runStarted(), payload: { ...runStarted().payload, seed } },
    configured(c),
    ...working(order),
    ...prices,
  ])

const fills = (j: readonly Envelope[]) =>
  j.flatMap((e) =>
    e.type === 'OrderFilled'
      ? [{ qty: e.payload.fillQty, price: e.payload.fillPricePaise, fees: e.payload.feesPaise, ts: e.ts }]
      : [],
  )

describe('next-open (default)', () => {
  it('a market buy fills at the next open, slipped 2 ticks against it', () => {
    expect(fills(run({ slippageTicks: 2 }, {}, [bar(1, 100_000, 100_500, 99_500, 100_200)]))).toEqual([
      { qty: 10, price: 100_010, fees: 0, ts: T0 + MINUTE },
    ])
  })

  it('a market sell slips down', () => {
    expect(
      fills(run({ slippageTicks: 1 }, { side: 'SELL' }, [bar(1, 100_000, 100_500, 99_500, 100_200)]))[0]?.price,
    ).toBe(99_995)
  })

  it('a limit buy below the open does not fill inside the bar, only when an open reaches it (at that open)', () => {
    const j = run({}, { orderType: 'LIMIT', limit: 99_000 }, [
      bar(1, 100_000, 100_500, 98_000, 99_500),
      bar(2, 98_900, 99_000, 98_500, 98_800),
    ])
    expect(fills(j)).toEqual([{ qty: 10, price: 98_900, fees: 0, ts: T0 + 2 * MINUTE }])
  })
})

describe('touch: intrabar path O-L-H-C when rising, O-H-L-C when falling', () => {
  it('a limit buy touched inside the bar fills at its limit; a gap through it fills at the better open', () => {
    expect(
      fills(
        run({ fillModel: 'touch' }, { orderType: 'LIMIT', limit: 99_000 }, [bar(1, 100_000, 100_500, 98_000, 99_500)]),
      )[0]?.price,
    ).toBe(99_000)
    expect(
      fills(
        run({ fillModel: 'touch' }, { orderType: 'LIMIT', limit: 101_000 }, [bar(1, 100_000, 100_500, 98_000, 99_500)]),
      )[0]?.price,
    ).toBe(100_000)
  })

  it('a stop-market buy triggers at its trigger and slips; above the open on a gap it fills at the open', () => {
    const rising = bar(1, 100_000, 102_000, 99_500, 101_500)
    expect(
      fills(run({ fillModel: 'touch', slippageTicks: 1 }, { orderType: 'SL-M', trigger: 101_000 }, [rising]))[0]?.price,
    ).toBe(101_005)
    const gapUp = bar(1, 101_500, 102_000, 101_200, 101_800)
    expect(fills(run({ fillModel: 'touch' }, { orderType: 'SL-M', trigger: 101_000 }, [gapUp]))[0]?.price).toBe(101_500)
  })

  it('a stop-market sell triggers on the way down', () => {
    const falling = bar(1, 100_000, 100_200, 98_000, 98_500)
    expect(
      fills(run({ fillModel: 'touch' }, { side: 'SELL', orderType: 'SL-M', trigger: 99_000 }, [falling]))[0]?.price,
    ).toBe(99_000)
  })

  it('a stop-limit buy that triggers above its limit waits, then fills when price comes back to the limit', () => {
    // Rising bar: O 1000, L 995, H 1020, C 1015. Trigger 1010 is reached on L->H; 1010 is above the 1005 limit, and
    // the bar never comes back to 1005 after that. The next bar opens at 1004: marketable, it fills at the open.
    const j = run({ fillModel: 'touch' }, { orderType: 'SL', trigger: 101_000, limit: 100_500 }, [
      bar(1, 100_000, 102_000, 99_500, 101_500),
      bar(2, 100_400, 100_600, 100_000, 100_500),
    ])
    expect(fills(j)).toEqual([{ qty: 10, price: 100_400, fees: 0, ts: T0 + 2 * MINUTE }])
  })

  it('the path decides: on a falling bar a buy stop above is reached (O-H) before the low', () => {
    const falling = bar(1, 100_000, 101_200, 98_000, 98_500)
    expect(fills(run({ fillModel: 'touch' }, { orderType: 'SL-M', trigger: 101_000 }, [falling]))[0]?.price).toBe(
      101_000,
    )
  })
})

describe('participation, latency, probability, IOC, ticks, charges', () => {
  it('fills at most 10% of each bar volume: 12 = 5 + 5 + 2 over three bars, each at its own open', () => {
    const j = run({ participation: 0.1 }, { qty: 12 }, [
      bar(1, 100_000, 100_100, 99_900, 100_000, 50),
      bar(2, 100_100, 100_200, 100_000, 100_100, 50),
      bar(3, 100_200, 100_300, 100_100, 100_200, 50),
    ])
    expect(fills(j).map((f) => [f.qty, f.price])).toEqual([
      [5, 100_000],
      [5, 100_100],
      [2, 100_200],
    ])
  })

  it('an order accepted at T0 with 90 s latency misses the bar that opens at T0 and fills at the next open', () => {
    const j = run({ latencyMs: 90_000 }, {}, [
      bar(1, 100_000, 100_100, 99_900, 100_000),
      bar(2, 100_100, 100_200, 100_000, 100_100),
      bar(3, 100_200, 100_300, 100_100, 100_200),
    ])
    expect(fills(j)).toEqual([{ qty: 10, price: 100_200, fees: 0, ts: T0 + 3 * MINUTE }])
  })

  it('a touched limit fills with probability p, drawn from the run seed: the same draws as the seeded generator', () => {
    const p = 0.5
    const seed = 7
    const bars = Array.from({ length: 20 }, (_, i) => bar(i + 1, 100_000, 100_100, 99_000, 100_000))
    const j = run(
      { fillModel: 'touch', limitFillProbability: p },
      { orderType: 'LIMIT', limit: 99_500, qty: 1 },
      bars,
      seed,
    )
    const rnd = createSeededRandom(seed)
    let expectedBar = 0
    for (let i = 1; i <= 20; i++) {
      if (rnd.next() < p) {
        expectedBar = i
        break
      }
    }
    expect(expectedBar).toBeGreaterThan(0)
    expect(fills(j).map((f) => f.ts)).toEqual([T0 + expectedBar * MINUTE])
  })

  it('a DAY limit unfilled by the end of its day expires at the next day’s first price, before it could fill', () => {
    // given a buy limit at 990.00 accepted at T0, not reached today
    const nextDay = 24 * 60 + 1
    const j = run({ fillModel: 'touch' }, { orderType: 'LIMIT', limit: 99_000 }, [
      bar(1, 100_000, 100_100, 99_500, 100_000),
      // when the next day opens through the limit
      bar(nextDay, 98_000, 98_500, 97_000, 98_000),
    ])
    // then the order expires there, with its day, and does not fill
    const expired = j.filter((e) => e.type === 'OrderExpired')
    expect(fills(j)).toEqual([])
    expect(expired.map((e) => [e.ts, e.type === 'OrderExpired' && e.payload.reason])).toEqual([
      [T0 + nextDay * MINUTE, `DAY order unfilled at the end of ${istDateOf(T0)}`],
    ])
  })

  it('a MARKET order still fills at the next price, even the next session’s open', () => {
    const nextDay = 24 * 60 + 1
    const j = run({}, {}, [bar(nextDay, 98_000, 98_500, 97_000, 98_000)])
    expect(fills(j)).toEqual([{ qty: 10, price: 98_000, fees: 0, ts: T0 + nextDay * MINUTE }])
    expect(j.some((e) => e.type === 'OrderExpired')).toBe(false)
  })

  it('an IOC limit not marketable at the first price is cancelled, with how much was left', () => {
    const j = run({}, { orderType: 'LIMIT', limit: 99_000, validity: 'IOC' }, [
      bar(1, 100_000, 100_100, 98_000, 100_000),
    ])
    const cancelled = j.find((e) => e.type === 'OrderCancelled')
    expect(fills(j)).toEqual([])
    expect(cancelled?.type === 'OrderCancelled' && cancelled.payload.reason).toBe('IOC: 10 unfilled at the first price')
  })

  it('a tick fills a market order at its price, capped by its traded quantity under participation', () => {
    const t = tickReceived(RELIANCE, 100_150, T0 + 1000)
    const withQty = t.type === 'TickReceived' ? { ...t, payload: { ...t.payload, ltq: 40 } } : t
    expect(fills(run({ participation: 0.25 }, {}, [withQty])).map((f) => [f.qty, f.price])).toEqual([[10, 100_150]])
  })

  it('charges: upstox fills carry the charges of the schedule in force', () => {
    const j = run({ charges: 'upstox' }, { qty: 10 }, [bar(1, 122_305, 122_500, 122_000, 122_400)])
    const f = fills(j)[0]!
    const expected = equityCharges(scheduleOn(UPSTOX_EQUITY_SCHEDULES, istDateOf(f.ts)), {
      side: 'BUY',
      product: 'I',
      valuePaise: 10 * 122_305,
      chargeBrokerage: true,
    })
    expect(f.fees).toBe(expected.totalPaise)
    expect(f.fees).toBeGreaterThan(0)
  })
})
