import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createTradingCalendar } from '../../domain/calendar/index.js'
import type { BarClosed, EventDraft, TickReceived } from '../../domain/events/index.js'
import { unsafe } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import { barsFromTicks, createBarAggregator } from '../../projections/index.js'
import { ticksWithBars } from './tickReplay.js'

// The tick replay's order: for any ticks of several instruments in time order, in any chunking, the output holds
// the ticks unchanged and in order, exactly the bars the aggregator folds from them, and every bar before the first
// tick at or after its close (of any instrument), bars closing together by instrument key.

const sessionOn = createTradingCalendar([]).sessionOn
const OPEN = Date.parse('2025-01-02T09:15:00+05:30')
const END = Date.parse('2025-01-03T00:00:00+05:30')
const KEYS = ['NSE_EQ|INE002A01018', 'NSE_EQ|INE040A01034', 'NSE_FO|49543'].map(unsafe.instrumentKey)

const ticksArb = fc
  .array(
    fc.record({
      key: fc.integer({ min: 0, max: KEYS.length - 1 }),
      // Over the first ~20 minutes, to the millisecond, so minutes fill, gap and share boundaries.
      at: fc.oneof(
        fc.integer({ min: 0, max: 20 * 60_000 }),
        fc.integer({ min: 0, max: 20 }).map((m) => m * 60_000),
      ),
      price: fc.integer({ min: 10_000, max: 10_100 }),
      qty: fc.integer({ min: 1, max: 500 }),
    }),
    { maxLength: 120 },
  )
  .map((raw) => {
    const sorted = [...raw].sort((a, b) => a.at - b.at)
    const volume = KEYS.map(() => 1_000)
    return sorted.map((r): EventDraft<TickReceived> => {
      volume[r.key]! += r.qty
      const lttMs = OPEN + r.at
      return {
        type: 'TickReceived',
        ts: lttMs,
        payload: {
          instrumentKey: KEYS[r.key]!,
          ltpPaise: unsafeMoney.price(r.price),
          lttMs,
          ltq: r.qty,
          volume: volume[r.key]!,
        },
      }
    })
  })

const chunked = async function* <T>(items: readonly T[], size: number): AsyncGenerator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size)
}

const timeOf = (e: EventDraft<TickReceived | BarClosed>): number => (e.type === 'TickReceived' ? e.payload.lttMs : e.ts)

describe('ticks with the bars they close', () => {
  it('keeps the ticks, gives the aggregator’s bars, and puts each bar before the ticks at or after its close', async () => {
    await fc.assert(
      fc.asyncProperty(ticksArb, fc.integer({ min: 1, max: 50 }), async (ticks, size) => {
        // given ticks of several instruments in time order, in chunks of `size`
        // when they are replayed with a fresh aggregator
        const out: EventDraft<TickReceived | BarClosed>[] = []
        for await (const c of ticksWithBars(chunked(ticks, size), createBarAggregator({ sessionOn }), END)) {
          out.push(...c)
        }
        // then the ticks come out unchanged and in order
        expect(out.filter((e) => e.type === 'TickReceived')).toEqual(ticks)
        // and the bars are the aggregator's fold of the same ticks, in close time then instrument key order
        const bars = out.filter((e): e is EventDraft<BarClosed> => e.type === 'BarClosed')
        const folded = [
          ...barsFromTicks(
            ticks.map((t) => t.payload),
            { sessionOn },
          ),
        ].sort((a, b) => a.ts - b.ts || (a.payload.instrumentKey < b.payload.instrumentKey ? -1 : 1))
        expect(bars).toEqual(folded)
        // and time never goes back, and at one instant a bar comes before a tick
        for (let i = 1; i < out.length; i++) {
          const [a, b] = [out[i - 1]!, out[i]!]
          expect(timeOf(b)).toBeGreaterThanOrEqual(timeOf(a))
          if (timeOf(a) === timeOf(b)) expect(a.type === 'TickReceived' && b.type === 'BarClosed').toBe(false)
        }
      }),
      { numRuns: 300 },
    )
  })
})
