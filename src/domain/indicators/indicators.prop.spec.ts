import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Adx, type AdxState } from './adx.js'
import { Atr, type AtrState } from './atr.js'
import { Bollinger, type BollingerState } from './bollinger.js'
import { Ema, type EmaState } from './ema.js'
import { Macd, type MacdState } from './macd.js'
import { Obv, type ObvState } from './obv.js'
import { Highest, Lowest, type RollingExtremeState } from './rollingExtreme.js'
import { Rsi, type RsiState } from './rsi.js'
import { Sma, type SmaState } from './sma.js'
import { Supertrend, type SupertrendState } from './supertrend.js'
import { Vwap, type VwapState } from './vwap.js'
import { Wma, type WmaState } from './wma.js'

// Properties every indicator has, over generated bar streams:
// - peek does not change state: a run that peeks before every update gives exactly the same outputs as one that
//   does not;
// - peek tells the future: peek(bar) equals the following update(bar) (to rounding: updates periodically resync
//   their running sums);
// - snapshots round-trip: restoring `JSON.parse(JSON.stringify(ind))` mid-stream and continuing gives exactly the
//   outputs of the original.

interface Bar {
  readonly tsMs: number
  readonly high: number
  readonly low: number
  readonly close: number
  readonly volume: number
}

interface Subject<I> {
  readonly name: string
  readonly make: () => I
  readonly update: (i: I, b: Bar) => readonly number[]
  readonly peek: (i: I, b: Bar) => readonly number[]
  readonly restore: (json: unknown) => I
}

const subject = <I>(s: Subject<I>): Subject<unknown> => s as Subject<unknown>
const one = (x: number): readonly number[] => [x]

const subjects: readonly Subject<unknown>[] = [
  subject({
    name: 'Sma',
    make: () => new Sma(5),
    update: (i: Sma, b) => one(i.update(b.close)),
    peek: (i, b) => one(i.peek(b.close)),
    restore: (j) => Sma.fromJSON(j as SmaState),
  }),
  subject({
    name: 'Ema',
    make: () => new Ema(5),
    update: (i: Ema, b) => one(i.update(b.close)),
    peek: (i, b) => one(i.peek(b.close)),
    restore: (j) => Ema.fromJSON(j as EmaState),
  }),
  subject({
    name: 'Wma',
    make: () => new Wma(5),
    update: (i: Wma, b) => one(i.update(b.close)),
    peek: (i, b) => one(i.peek(b.close)),
    restore: (j) => Wma.fromJSON(j as WmaState),
  }),
  subject({
    name: 'Rsi',
    make: () => new Rsi(4),
    update: (i: Rsi, b) => one(i.update(b.close)),
    peek: (i, b) => one(i.peek(b.close)),
    restore: (j) => Rsi.fromJSON(j as RsiState),
  }),
  subject({
    name: 'Macd',
    make: () => new Macd(3, 6, 4),
    update: (i: Macd, b) => {
      const r = i.update(b.close)
      return [r.line, r.signal, r.histogram]
    },
    peek: (i, b) => {
      const r = i.peek(b.close)
      return [r.line, r.signal, r.histogram]
    },
    restore: (j) => Macd.fromJSON(j as MacdState),
  }),
  subject({
    name: 'Atr',
    make: () => new Atr(4),
    update: (i: Atr, b) => one(i.update(b.high, b.low, b.close)),
    peek: (i, b) => one(i.peek(b.high, b.low, b.close)),
    restore: (j) => Atr.fromJSON(j as AtrState),
  }),
  subject({
    name: 'Adx',
    make: () => new Adx(3),
    update: (i: Adx, b) => {
      const r = i.update(b.high, b.low, b.close)
      return [r.adx, r.plusDi, r.minusDi]
    },
    peek: (i, b) => {
      const r = i.peek(b.high, b.low, b.close)
      return [r.adx, r.plusDi, r.minusDi]
    },
    restore: (j) => Adx.fromJSON(j as AdxState),
  }),
  subject({
    name: 'Bollinger',
    make: () => new Bollinger(5, 2),
    update: (i: Bollinger, b) => {
      const r = i.update(b.close)
      return [r.middle, r.upper, r.lower, r.width]
    },
    peek: (i, b) => {
      const r = i.peek(b.close)
      return [r.middle, r.upper, r.lower, r.width]
    },
    restore: (j) => Bollinger.fromJSON(j as BollingerState),
  }),
  subject({
    name: 'Vwap',
    make: () => new Vwap(),
    update: (i: Vwap, b) => one(i.update(b.tsMs, b.close, b.volume)),
    peek: (i, b) => one(i.peek(b.tsMs, b.close, b.volume)),
    restore: (j) => Vwap.fromJSON(j as VwapState),
  }),
  subject({
    name: 'Supertrend',
    make: () => new Supertrend(3, 2),
    update: (i: Supertrend, b) => {
      const r = i.update(b.high, b.low, b.close)
      return [r.value, r.direction, r.upper, r.lower]
    },
    peek: (i, b) => {
      const r = i.peek(b.high, b.low, b.close)
      return [r.value, r.direction, r.upper, r.lower]
    },
    restore: (j) => Supertrend.fromJSON(j as SupertrendState),
  }),
  subject({
    name: 'Obv',
    make: () => new Obv(),
    update: (i: Obv, b) => one(i.update(b.close, b.volume)),
    peek: (i, b) => one(i.peek(b.close, b.volume)),
    restore: (j) => Obv.fromJSON(j as ObvState),
  }),
  subject({
    name: 'Highest',
    make: () => new Highest(4),
    update: (i: Highest, b) => one(i.update(b.high)),
    peek: (i, b) => one(i.peek(b.high)),
    restore: (j) => Highest.fromJSON(j as RollingExtremeState),
  }),
  subject({
    name: 'Lowest',
    make: () => new Lowest(4),
    update: (i: Lowest, b) => one(i.update(b.low)),
    peek: (i, b) => one(i.peek(b.low)),
    restore: (j) => Lowest.fromJSON(j as RollingExtremeState),
  }),
]

// Prices on a tick grid (so equal closes and equal highs happen), occasional day changes for VWAP.
const barsArb = fc
  .array(
    fc.record({
      gapMin: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 3000 })),
      close: fc.integer({ min: 900, max: 1100 }),
      up: fc.integer({ min: 0, max: 20 }),
      down: fc.integer({ min: 0, max: 20 }),
      volume: fc.integer({ min: 0, max: 10_000 }),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .map((rows) => {
    let ts = 1_735_700_000_000
    return rows.map((r): Bar => {
      ts += r.gapMin * 60_000
      return {
        tsMs: ts,
        close: r.close / 20,
        high: (r.close + r.up) / 20,
        low: (r.close - r.down) / 20,
        volume: r.volume,
      }
    })
  })

const same = (a: readonly number[], b: readonly number[]): boolean => a.every((x, k) => Object.is(x, b[k]))
const close = (a: readonly number[], b: readonly number[]): boolean =>
  a.every((x, k) => {
    const y = b[k] as number
    return Object.is(x, y) || Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y))
  })

describe.each(subjects)('$name', (s) => {
  it('peek does not change state: peeking before every update changes no output', () => {
    fc.assert(
      fc.property(barsArb, barsArb, (bars, peeks) => {
        const a = s.make()
        const b = s.make()
        bars.forEach((bar, k) => {
          s.peek(a, peeks[k % peeks.length] as Bar)
          s.peek(a, bar)
          const ua = [...s.update(a, bar)]
          const ub = [...s.update(b, bar)]
          expect(same(ua, ub)).toBe(true)
        })
      }),
    )
  })

  it('peek(bar) equals the following update(bar)', () => {
    fc.assert(
      fc.property(barsArb, (bars) => {
        const a = s.make()
        for (const bar of bars) {
          const p = [...s.peek(a, bar)]
          const u = [...s.update(a, bar)]
          if (!close(p, u)) throw new Error(`peek ${p} vs update ${u}`)
        }
      }),
    )
  })

  it('a JSON snapshot taken mid-stream continues exactly like the original', () => {
    fc.assert(
      fc.property(barsArb, fc.nat(), (bars, cut) => {
        const a = s.make()
        const k = cut % (bars.length + 1)
        for (let i = 0; i < k; i++) s.update(a, bars[i] as Bar)
        const restored = s.restore(JSON.parse(JSON.stringify(a)))
        for (let i = k; i < bars.length; i++) {
          const ua = [...s.update(a, bars[i] as Bar)]
          const ur = [...s.update(restored, bars[i] as Bar)]
          if (!same(ua, ur)) throw new Error(`after restore at ${k}, bar ${i}: ${ua} vs ${ur}`)
        }
      }),
    )
  })
})
