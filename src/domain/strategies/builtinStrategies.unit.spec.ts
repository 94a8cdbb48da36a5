import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { BarClosed } from '../events/index.js'
import { unsafe } from '../ids/index.js'
import { unsafeMoney } from '../money/index.js'
import { istInstant } from '../time/index.js'
import { emaCrossStrategy, smaCrossStrategy } from './movingAverageCross.js'
import { openingRangeBreakoutStrategy } from './openingRangeBreakout.js'
import { rsiReversionStrategy } from './rsiReversion.js'
import type { AnyStrategy, SessionClock, Signal } from './strategy.js'
import { vwapReversionStrategy } from './vwapReversion.js'

// The built-in strategies on small, hand-made series: when each signals, what, and why.

const KEY = unsafe.instrumentKey('NSE_EQ|INE002A01018')
const T0 = istInstant('2025-01-02', '09:15')!

const bar = (
  i: number,
  close: number,
  o: { high?: number; low?: number; volume?: number } = {},
): BarClosed['payload'] => ({
  instrumentKey: KEY,
  timeframe: '1m',
  openMs: T0 + i * 60_000,
  openPaise: unsafeMoney.price(close),
  highPaise: unsafeMoney.price(o.high ?? close),
  lowPaise: unsafeMoney.price(o.low ?? close),
  closePaise: unsafeMoney.price(close),
  volume: o.volume ?? 1000,
})

/** Feeds closes through a strategy with a position that follows its signals; returns [bar index, signal]. */
const run = (
  def: AnyStrategy,
  params: unknown,
  bars: readonly BarClosed['payload'][],
  session?: SessionClock,
): [number, Signal][] => {
  const p = def.params.decode(params)
  if (E.isLeft(p)) throw new Error('bad params')
  const state = def.init(p.right, [KEY])
  let position = 0
  const out: [number, Signal][] = []
  bars.forEach((b, i) => {
    const sig = def.onBar(state, b, {
      strategyId: unsafe.strategyId('s'),
      instrumentKey: KEY,
      positionQty: position,
      ts: b.openMs + 60_000,
      session,
    })
    if (sig === undefined) return
    out.push([i, sig])
    position = sig.intent === 'LONG' ? (sig.qty ?? 1) : sig.intent === 'SHORT' ? -(sig.qty ?? 1) : 0
  })
  return out
}

describe('sma-cross and ema-cross', () => {
  // Falling then rising then falling: fast (2) crosses slow (3) up, then down.
  const closes = [100, 99, 98, 97, 98, 100, 103, 104, 102, 98, 95].map((x) => x * 100)

  it('sma-cross goes long on the cross above and flat on the cross below (long only by default)', () => {
    const sigs = run(
      smaCrossStrategy,
      { fast: 2, slow: 3, qty: 5 },
      closes.map((c, i) => bar(i, c)),
    )
    expect(sigs.map(([i, s]) => [i, s.intent, s.qty])).toEqual([
      [5, 'LONG', 5],
      [9, 'FLAT', undefined],
    ])
    expect(sigs[0]?.[1].reason).toBe('fast SMA(2) 99.00 crossed above slow SMA(3) 98.33')
  })

  it('with allowShort the cross below goes short', () => {
    const sigs = run(
      smaCrossStrategy,
      { fast: 2, slow: 3, qty: 5, allowShort: true },
      closes.map((c, i) => bar(i, c)),
    )
    expect(sigs.map(([, s]) => s.intent)).toEqual(['LONG', 'SHORT'])
  })

  it('ema-cross signals on the same kind of series, and both refuse fast >= slow', () => {
    expect(
      run(
        emaCrossStrategy,
        { fast: 2, slow: 3 },
        closes.map((c, i) => bar(i, c)),
      ).map(([, s]) => s.intent),
    ).toEqual(['LONG', 'FLAT'])
    expect(E.isLeft(smaCrossStrategy.params.decode({ fast: 30, slow: 10 }))).toBe(true)
  })

  it('survives a snapshot: restored from JSON mid-stream, it signals exactly as the original', () => {
    const p = smaCrossStrategy.params.decode({ fast: 2, slow: 3 })
    if (E.isLeft(p)) throw new Error('params')
    const a = smaCrossStrategy.init(p.right, [KEY])
    const bars = closes.map((c, i) => bar(i, c))
    const ctx = (b: BarClosed['payload']) => ({
      strategyId: unsafe.strategyId('s'),
      instrumentKey: KEY,
      positionQty: 0,
      ts: b.openMs,
      session: undefined,
    })
    for (const b of bars.slice(0, 4)) smaCrossStrategy.onBar(a, b, ctx(b))
    const restored = smaCrossStrategy.restore!(JSON.parse(JSON.stringify(a)))
    for (const b of bars.slice(4))
      expect(smaCrossStrategy.onBar(restored, b, ctx(b))).toEqual(smaCrossStrategy.onBar(a, b, ctx(b)))
  })
})

describe('rsi-reversion', () => {
  it('buys when RSI(2) falls below 30 and sells when it recovers above 50', () => {
    // Wilder, by hand: bar 3 RSI 33.3 (not yet), bar 4 11.1 (buy), bar 5 5.9, bar 6 51.5 (sell).
    const closes = [100, 101, 102, 100, 97, 95, 97, 100, 103].map((x) => x * 100)
    const sigs = run(
      rsiReversionStrategy,
      { period: 2, qty: 3 },
      closes.map((c, i) => bar(i, c)),
    )
    expect(sigs.map(([i, s]) => [i, s.intent])).toEqual([
      [4, 'LONG'],
      [6, 'FLAT'],
    ])
    expect(sigs[0]?.[1].reason).toMatch(/^RSI\(2\) [\d.]+ below 30$/)
  })
})

describe('opening-range-breakout', () => {
  it("takes the first close above the first 3 minutes' range, once a day", () => {
    const bars = [
      bar(0, 10_000, { high: 10_050, low: 9_950 }),
      bar(1, 10_020, { high: 10_080, low: 10_000 }),
      bar(2, 10_010, { high: 10_060, low: 9_980 }),
      bar(3, 10_070),
      bar(4, 10_090),
      bar(5, 10_200),
    ]
    const sigs = run(openingRangeBreakoutStrategy, { rangeMinutes: 3 }, bars)
    expect(sigs.map(([i, s]) => [i, s.intent, s.reason])).toEqual([
      [4, 'LONG', 'close 100.90 above the 3-minute opening range 99.50-100.80'],
    ])
  })

  it('with entry "stop", asks once, on the first bar after the range, for a buy stop at the range high', () => {
    const bars = [
      bar(0, 10_000, { high: 10_050, low: 9_950 }),
      bar(1, 10_020, { high: 10_080, low: 10_000 }),
      bar(2, 10_010, { high: 10_060, low: 9_980 }),
      bar(3, 10_000),
      bar(4, 10_090),
    ]
    const sigs = run(openingRangeBreakoutStrategy, { rangeMinutes: 3, qty: 5, entry: 'stop' }, bars)
    expect(sigs).toEqual([
      [
        3,
        {
          intent: 'LONG',
          qty: 5,
          confidence: 1,
          reason: 'buy stop at the high of the 3-minute opening range 99.50-100.80',
          order: { type: 'SL-M', triggerPricePaise: 10_080 },
        },
      ],
    ])
  })

  it("takes the range from the session's own open: a Muhurat session's range starts at 18:00, not 09:15", () => {
    const open = istInstant('2024-11-01', '18:00')!
    const at = (minute: number, close: number, o: { high?: number; low?: number } = {}) => ({
      ...bar(0, close, o),
      openMs: open + minute * 60_000,
    })
    const bars = [
      at(0, 10_000, { high: 10_050, low: 9_950 }),
      at(1, 10_020, { high: 10_080, low: 10_000 }),
      at(2, 10_010, { high: 10_060, low: 9_980 }),
      at(3, 10_090),
    ]
    const session: SessionClock = { openMs: open, closeMs: open + 3_600_000, kind: 'muhurat' }
    expect(
      run(openingRangeBreakoutStrategy, { rangeMinutes: 3 }, bars, session).map(([i, s]) => [i, s.reason]),
    ).toEqual([[3, 'close 100.90 above the 3-minute opening range 99.50-100.80']])
    // without the session clock the evening is all "after the range", which then has no bars in it: no trade
    expect(run(openingRangeBreakoutStrategy, { rangeMinutes: 3 }, bars)).toEqual([])
  })

  it('refuses entry "stop" with allowShort, naming the rule', () => {
    const p = openingRangeBreakoutStrategy.params.decode({ entry: 'stop', allowShort: true })
    expect(E.isLeft(p) && p.left[0]?.context.at(-1)?.type.name).toBe(
      'opening-range-breakout params (entry "stop" is long only: no allowShort)',
    )
  })
})

describe('vwap-reversion', () => {
  it('goes long 1% below the session VWAP and flat back at it', () => {
    const bars = [bar(0, 10_000, { volume: 10_000 }), bar(1, 9_850, { volume: 100 }), bar(2, 9_950), bar(3, 10_010)]
    const sigs = run(vwapReversionStrategy, { bandPct: 1 }, bars)
    expect(sigs.map(([i, s]) => [i, s.intent])).toEqual([
      [1, 'LONG'],
      [3, 'FLAT'],
    ])
  })
})
