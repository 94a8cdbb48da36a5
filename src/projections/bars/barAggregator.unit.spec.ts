import { describe, expect, it } from 'vitest'
import { type BarAggregatorOptions, type BarTick, barsFromTicks, createBarAggregator } from './barAggregator.js'
import type { BarDraft } from './barBucket.js'
import { at, KEY, KEY2, NEXT_DAY, sessionOn, tick } from './bars.fixtures.js'

const opts: BarAggregatorOptions = { sessionOn }

/** given ticks fed one by one, when flushed at `flushAt`, then the bars (as compact tuples). */
const fold = (ticks: readonly BarTick[], flushAt = Number.POSITIVE_INFINITY, o = opts) => {
  const agg = createBarAggregator(o)
  const bars: BarDraft[] = []
  for (const t of ticks) bars.push(...agg.onTick(t))
  bars.push(...agg.flush(flushAt))
  return { bars, stats: agg.stats }
}
const ohlcv = (b: BarDraft) => [
  b.payload.timeframe,
  b.payload.openMs,
  b.payload.openPaise,
  b.payload.highPaise,
  b.payload.lowPaise,
  b.payload.closePaise,
  b.payload.volume,
]

describe('1-minute bars from ticks', () => {
  it('builds OHLC by exchange time and volume from cumulative volume deltas; ts is the close time', () => {
    const { bars } = fold([
      tick('09:15:00', 100, 1000), // first volume of the day: the baseline, attributed to no bar
      tick('09:15:10', 105, 1100),
      tick('09:15:50', 95, 1250),
      tick('09:15:59', 101, 1300),
      tick('09:16:01', 102, 1400),
    ])
    expect(bars.map(ohlcv)).toEqual([
      ['1m', at('09:15'), 100, 105, 95, 101, 300],
      ['1m', at('09:16'), 102, 102, 102, 102, 100],
    ])
    expect(bars[0]!.ts).toBe(at('09:16'))
    expect(bars[0]!.type).toBe('BarClosed')
  })

  it('closes a minute when a tick of a later minute arrives, not before', () => {
    const agg = createBarAggregator(opts)
    expect(agg.onTick(tick('09:15:01', 100, 10))).toEqual([])
    expect(agg.onTick(tick('09:15:59', 101, 20))).toEqual([])
    const closed = agg.onTick(tick('09:16:00', 102, 30))
    expect(closed.map(ohlcv)).toEqual([['1m', at('09:15'), 100, 101, 100, 101, 10]])
  })

  it('closes at an explicit flush for bars ending at or before the flush time (TimerFired)', () => {
    const agg = createBarAggregator(opts)
    agg.onTick(tick('09:15:30', 100))
    expect(agg.flush(at('09:15:59'))).toEqual([])
    const e = agg.onEvent({ type: 'TimerFired', ts: at('09:16:02'), payload: { timer: 'bar-close' } })
    expect(e.map(ohlcv)).toEqual([['1m', at('09:15'), 100, 100, 100, 100, 0]])
  })

  it('uses the last trade time, not arrival order, for the close inside a minute', () => {
    const { bars } = fold([tick('09:15:30', 100), tick('09:15:10', 90), tick('09:15:20', 110)])
    expect(bars.map(ohlcv)).toEqual([['1m', at('09:15'), 100, 110, 90, 100, 0]])
  })
})

describe('late and duplicate ticks', () => {
  it('drops a tick for a minute that is already closed, and counts it', () => {
    const { bars, stats } = fold([tick('09:15:10', 100, 10), tick('09:16:05', 101, 20), tick('09:15:50', 50, 30)])
    expect(bars.map(ohlcv)).toEqual([
      ['1m', at('09:15'), 100, 100, 100, 100, 0],
      // The late tick's volume is not lost: the next on-time tick's delta includes it (here: none came).
      ['1m', at('09:16'), 101, 101, 101, 101, 10],
    ])
    expect(stats.late).toBe(1)
  })

  it('treats a tick after a flush passed its minute as late, even with no bar open', () => {
    const agg = createBarAggregator(opts)
    agg.onTick(tick('09:15:10', 100))
    agg.flush(at('09:17:00'))
    expect(agg.onTick(tick('09:16:30', 99))).toEqual([])
    expect(agg.stats.late).toBe(1)
  })

  it('ignores an exact repeat (same ltt, ltp, volume) and counts it', () => {
    const t = tick('09:15:10', 100, 10)
    const { bars, stats } = fold([t, tick('09:15:20', 101, 20), tick('09:15:20', 101, 20), tick('09:15:30', 102, 25)])
    expect(bars.map(ohlcv)).toEqual([['1m', at('09:15'), 100, 102, 100, 102, 15]])
    expect(stats.duplicates).toBe(1)
  })

  it('a stale snapshot (lower cumulative volume) adds no volume and does not move the close', () => {
    const { bars, stats } = fold([tick('09:15:10', 100, 10), tick('09:15:20', 101, 30), tick('09:15:20', 99, 20)])
    expect(bars.map(ohlcv)).toEqual([['1m', at('09:15'), 100, 101, 99, 101, 20]])
    expect(stats.volumeRegressions).toBe(1)
  })
})

describe('gaps', () => {
  it('emits no bar for a minute without trades and flags the next bar afterGap', () => {
    const { bars } = fold([tick('09:15:10', 100), tick('09:17:10', 101), tick('09:18:10', 102)])
    expect(bars.map((b) => [b.payload.openMs, b.payload.afterGap])).toEqual([
      [at('09:15'), undefined],
      [at('09:17'), true],
      [at('09:18'), undefined],
    ])
  })

  it('does not flag the first bar of a session, even when it starts after 09:15', () => {
    const { bars } = fold([tick('10:00:10', 100)])
    expect(bars[0]!.payload.afterGap).toBeUndefined()
  })
})

describe('session edges', () => {
  it('pre-open ticks set the volume baseline but make no bar; 09:15:00 belongs to the first bar', () => {
    const { bars, stats } = fold([
      tick('09:07:30', 100, 5000),
      tick('09:14:59', 100, 5000),
      tick('09:15:00', 101, 5100),
    ])
    expect(bars.map(ohlcv)).toEqual([['1m', at('09:15'), 101, 101, 101, 101, 100]])
    expect(stats.preOpen).toBe(2)
  })

  it('a tick at or after 15:30 closes the session bars and makes none itself', () => {
    const agg = createBarAggregator({ sessionOn, timeframes: ['1m', '1h', '1d'] })
    agg.onTick(tick('15:29:59', 100, 10))
    const closed = agg.onTick(tick('15:30:00', 105, 20))
    expect(closed.map((b) => [b.payload.timeframe, b.payload.openMs, b.ts])).toEqual([
      ['1m', at('15:29'), at('15:30')],
      ['1h', at('15:15'), at('15:30')],
      ['1d', at('09:15'), at('15:30')],
    ])
    expect(agg.stats.postClose).toBe(1)
  })

  it('takes no ticks on a day without a session', () => {
    const { bars, stats } = fold([tick('10:00:00', 100, 1, { date: '2025-01-04' })]) // a Saturday
    expect(bars).toEqual([])
    expect(stats.noSession).toBe(1)
  })

  it('a new day closes the old day bars and resets the volume baseline', () => {
    const { bars } = fold([
      tick('15:00:00', 100, 900),
      tick('15:00:30', 100, 1000),
      tick('09:15:05', 200, 50, { date: NEXT_DAY }),
      tick('09:15:45', 201, 80, { date: NEXT_DAY }),
    ])
    expect(bars.map(ohlcv)).toEqual([
      ['1m', at('15:00'), 100, 100, 100, 100, 100],
      ['1m', at('09:15', 0, NEXT_DAY), 200, 201, 200, 201, 30],
    ])
    expect(bars[1]!.payload.afterGap).toBeUndefined()
  })

  it('keeps instruments apart; a flush emits instruments in first-seen order', () => {
    const { bars } = fold([
      tick('09:15:10', 100),
      tick('09:15:20', 500, undefined, { key: KEY2 }),
      tick('09:16:10', 101),
    ])
    expect(bars.map((b) => [b.payload.instrumentKey, b.payload.closePaise])).toEqual([
      [KEY, 100],
      [KEY, 101],
      [KEY2, 500],
    ])
  })
})

describe('higher timeframes', () => {
  it('folds 5m bars from 1m bars aligned to 09:15 and closes them when a later bucket starts', () => {
    const ticks = [
      tick('09:15:10', 100, 0),
      tick('09:16:10', 110, 10),
      tick('09:19:50', 90, 30),
      tick('09:20:00', 95, 31),
    ]
    const agg = createBarAggregator({ sessionOn, timeframes: ['5m'] })
    const out: BarDraft[] = []
    for (const t of ticks) out.push(...agg.onTick(t))
    expect(out.map(ohlcv)).toEqual([['5m', at('09:15'), 100, 110, 90, 90, 30]])
    expect(out[0]!.ts).toBe(at('09:20'))
  })

  it('ends the last hour of the session at 15:30 (09:15 anchor, not the clock hour)', () => {
    const bars = barsFromTicks([tick('14:20:00', 100), tick('15:20:00', 101)], { sessionOn, timeframes: ['1h'] })
    expect(bars.map((b) => [b.payload.openMs, b.ts])).toEqual([
      [at('14:15'), at('15:15')],
      [at('15:15'), at('15:30')],
    ])
  })
})

describe('snapshot', () => {
  it('resumes from a snapshot exactly where the original would continue', () => {
    const a = createBarAggregator(opts)
    a.onTick(tick('09:15:10', 100, 10))
    a.onTick(tick('09:15:20', 103, 20))
    const b = createBarAggregator(opts, a.snapshot())
    a.onTick(tick('09:15:30', 97, 40))
    expect(b.onTick(tick('09:16:00', 99, 41)).map(ohlcv)).toEqual([['1m', at('09:15'), 100, 103, 100, 103, 10]])
  })
})
