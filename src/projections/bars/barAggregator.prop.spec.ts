import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Timeframe } from '../../domain/events/index.js'
import { type BarTick, barsFromTicks, createBarAggregator } from './barAggregator.js'
import type { BarDraft } from './barBucket.js'
import { at, KEY, KEY2, NEXT_DAY, sessionOn } from './bars.fixtures.js'
import { resampleBars } from './resampleBars.js'

// Properties of the tick -> bar fold over generated streams: two instruments (one with cumulative volume, one
// without, like an index), two days, ticks from 09:00 (pre-open) to 15:35 (post-close).

const DAY0 = at('09:00')
const DAY1 = at('09:00', 0, NEXT_DAY)
const SPAN_MS = (6 * 60 + 35) * 60_000

const rawTick = fc.record({
  inst: fc.integer({ min: 0, max: 1 }),
  day: fc.integer({ min: 0, max: 1 }),
  offsetMs: fc.integer({ min: 0, max: SPAN_MS - 1 }),
  price: fc.integer({ min: 1, max: 500 }),
  dv: fc.integer({ min: 0, max: 50 }),
})
type Raw = typeof rawTick extends fc.Arbitrary<infer T> ? T : never

/** Sorted by exchange time, unique ltt per instrument, cumulative volume per (instrument, day) for KEY only. */
const orderedTicks = (raws: readonly Raw[]): BarTick[] => {
  const sorted = [...raws].sort((a, b) => a.day - b.day || a.offsetMs - b.offsetMs || a.inst - b.inst)
  const seen = new Set<string>()
  const cum = new Map<string, number>()
  const out: BarTick[] = []
  for (const r of sorted) {
    const id = `${r.inst}:${r.day}:${r.offsetMs}`
    if (seen.has(id)) continue
    seen.add(id)
    const lttMs = (r.day === 0 ? DAY0 : DAY1) + r.offsetMs
    if (r.inst === 0) {
      const c = (cum.get(`${r.day}`) ?? 0) + r.dv
      cum.set(`${r.day}`, c)
      out.push({ instrumentKey: KEY, ltpPaise: r.price, lttMs, volume: c })
    } else out.push({ instrumentKey: KEY2, ltpPaise: r.price, lttMs })
  }
  return out
}

const ticksArb = fc.array(rawTick, { maxLength: 300 }).map(orderedTicks)

/** Ordered ticks with local disorder: some ticks swapped with a neighbour up to `k` places away. */
const disorderedArb = fc
  .tuple(ticksArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 5 })), { maxLength: 30 }))
  .map(([ticks, swaps]) => {
    const t = [...ticks]
    for (const [i, k] of swaps) {
      if (t.length < 2) break
      const a = i % t.length
      const b = Math.min(t.length - 1, a + k)
      ;[t[a], t[b]] = [t[b]!, t[a]!]
    }
    return t
  })

const ALL: readonly Timeframe[] = ['1m', '3m', '5m', '15m', '30m', '1h', '1d']
const sortBars = (bars: readonly BarDraft[]) =>
  [...bars].sort(
    (a, b) =>
      a.payload.instrumentKey.localeCompare(b.payload.instrumentKey) ||
      a.payload.timeframe.localeCompare(b.payload.timeframe) ||
      a.payload.openMs - b.payload.openMs,
  )
const onlyTf = (bars: readonly BarDraft[], tf: Timeframe) => bars.filter((b) => b.payload.timeframe === tf)
const resample = (bars: readonly BarDraft[], tf: Timeframe) => {
  const r = resampleBars(
    bars.map((b) => b.payload),
    tf,
    sessionOn,
  )
  if (E.isLeft(r)) throw new Error(r.left.reason)
  return r.right.bars
}

describe('bar aggregation properties', () => {
  it('streaming == batch: folding in two halves, resuming from a snapshot, gives the same bars', () => {
    fc.assert(
      fc.property(disorderedArb, fc.nat(), (ticks, cut) => {
        const k = ticks.length === 0 ? 0 : cut % (ticks.length + 1)
        const options = { sessionOn, timeframes: ALL }
        const batch = barsFromTicks(ticks, options)
        const a = createBarAggregator(options)
        const streamed: BarDraft[] = []
        for (const t of ticks.slice(0, k)) streamed.push(...a.onTick(t))
        const b = createBarAggregator(options, a.snapshot())
        for (const t of ticks.slice(k)) streamed.push(...b.onTick(t))
        streamed.push(...b.flush(Number.POSITIVE_INFINITY))
        expect(streamed).toEqual(batch)
      }),
      { numRuns: 200 },
    )
  })

  it('duplicated ticks, repeated right away or replayed later, do not change the bars', () => {
    fc.assert(
      fc.property(ticksArb, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 20 })), { maxLength: 40 }), (ticks, dups) => {
        const withDups = [...ticks]
        for (const [i, d] of dups) {
          if (ticks.length === 0) break
          const src = i % withDups.length
          withDups.splice(Math.min(withDups.length, src + 1 + d), 0, { ...withDups[src]! })
        }
        const options = { sessionOn, timeframes: ALL }
        expect(barsFromTicks(withDups, options)).toEqual(barsFromTicks(ticks, options))
      }),
      { numRuns: 200 },
    )
  })

  it('resampling is consistent: live higher timeframes == resampled 1m == resampled via an intermediate', () => {
    fc.assert(
      fc.property(ticksArb, (ticks) => {
        const bars = barsFromTicks(ticks, { sessionOn, timeframes: ALL })
        const m1 = onlyTf(bars, '1m')
        for (const tf of ALL.slice(1)) expect(sortBars(resample(m1, tf))).toEqual(sortBars(onlyTf(bars, tf)))
        const paths: readonly [Timeframe, Timeframe][] = [
          ['5m', '15m'],
          ['3m', '15m'],
          ['15m', '30m'],
          ['30m', '1h'],
          ['3m', '1h'],
          ['5m', '1d'],
          ['1h', '1d'],
        ]
        for (const [mid, to] of paths) {
          expect(sortBars(resample(resample(m1, mid), to))).toEqual(sortBars(resample(m1, to)))
        }
      }),
      { numRuns: 100 },
    )
  })

  it('conserves volume: per session, the bar volumes sum to the last in-session cumulative minus the baseline', () => {
    fc.assert(
      fc.property(ticksArb, (ticks) => {
        const bars = onlyTf(barsFromTicks(ticks, { sessionOn, timeframes: ['1m'] }), '1m')
        for (const [day, start] of [
          [0, DAY0],
          [1, DAY1],
        ] as const) {
          const open = start + 15 * 60_000
          const close = start + (6 * 60 + 30) * 60_000
          const dayTicks = ticks.filter((t) => t.instrumentKey === KEY && t.lttMs >= start && t.lttMs < start + SPAN_MS)
          const inSession = dayTicks.filter((t) => t.lttMs >= open && t.lttMs < close)
          // The baseline is the last cumulative volume seen before the first in-session tick (pre-open included).
          const preOpen = dayTicks.filter((t) => t.lttMs < open)
          const baseline = preOpen.at(-1)?.volume ?? inSession[0]?.volume ?? 0
          const last = inSession.at(-1)?.volume ?? baseline
          const sum = bars
            .filter((b) => b.payload.instrumentKey === KEY && b.payload.openMs >= open && b.payload.openMs < close)
            .reduce((n, b) => n + b.payload.volume, 0)
          expect([day, sum]).toEqual([day, inSession.length === 0 ? 0 : last - baseline])
        }
        for (const b of bars) if (b.payload.instrumentKey === KEY2) expect(b.payload.volume).toBe(0)
      }),
      { numRuns: 200 },
    )
  })

  it('every bar is well formed: low <= open, close <= high, inside the session, ts after openMs', () => {
    fc.assert(
      fc.property(disorderedArb, (ticks) => {
        for (const b of barsFromTicks(ticks, { sessionOn, timeframes: ALL })) {
          const p = b.payload
          expect(p.lowPaise).toBeLessThanOrEqual(Math.min(p.openPaise, p.closePaise))
          expect(p.highPaise).toBeGreaterThanOrEqual(Math.max(p.openPaise, p.closePaise))
          expect(b.ts).toBeGreaterThan(p.openMs)
        }
      }),
      { numRuns: 100 },
    )
  })
})
