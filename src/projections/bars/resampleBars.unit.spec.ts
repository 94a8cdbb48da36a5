import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createTradingCalendar } from '../../domain/calendar/index.js'
import type { BarClosed } from '../../domain/events/index.js'
import type { PricePaise } from '../../domain/money/index.js'
import { barsFromTicks } from './barAggregator.js'
import { at, KEY, sessionOn, tick } from './bars.fixtures.js'
import { canResample, resampleBars } from './resampleBars.js'

const bar = (hhmm: string, c: number, volume = 1): BarClosed['payload'] => ({
  instrumentKey: KEY,
  timeframe: '1m',
  openMs: at(hhmm),
  openPaise: c as PricePaise,
  highPaise: (c + 1) as PricePaise,
  lowPaise: (c - 1) as PricePaise,
  closePaise: c as PricePaise,
  volume,
})

describe('resampleBars', () => {
  it('given 1m bars, when resampled to 15m, then buckets start at 09:15 and a skipped bucket flags the next', () => {
    const r = resampleBars([bar('09:15', 10), bar('09:29', 12, 2), bar('10:01', 20)], '15m', sessionOn)
    expect(
      E.isRight(r) && r.right.bars.map((b) => [b.payload.openMs, b.ts, b.payload.volume, b.payload.afterGap]),
    ).toEqual([
      [at('09:15'), at('09:30'), 3, undefined],
      [at('10:00'), at('10:15'), 1, true],
    ])
  })

  it('refuses a target that is not a whole multiple of the source', () => {
    const r = resampleBars([{ ...bar('09:15', 10), timeframe: '5m' }], '3m', sessionOn)
    expect(E.isLeft(r) && r.left._tag).toBe('ResampleNotAligned')
    expect([
      canResample('5m', '15m'),
      canResample('15m', '1h'),
      canResample('30m', '1d'),
      canResample('1h', '30m'),
    ]).toEqual([true, true, true, false])
  })

  it('counts bars outside the session and out of order instead of folding them', () => {
    const r = resampleBars([bar('09:10', 1), bar('09:20', 10), bar('09:16', 11), bar('15:30', 12)], '5m', sessionOn)
    expect(E.isRight(r) && [r.right.bars.length, r.right.outOfSession, r.right.outOfOrder]).toEqual([1, 2, 1])
  })
})

describe('special sessions', () => {
  it('anchors buckets at a Muhurat session open from the calendar (18:15-19:15)', () => {
    const muhurat = createTradingCalendar([
      {
        date: '2024-11-01',
        kind: 'muhurat',
        description: 'Diwali',
        openSec: 18 * 3600 + 15 * 60,
        closeSec: 19 * 3600 + 15 * 60,
      },
    ]).sessionOn
    const d = '2024-11-01'
    const bars = barsFromTicks(
      [
        tick('18:10:00', 99, undefined, { date: d }),
        tick('18:16:00', 100, undefined, { date: d }),
        tick('19:14:59', 101, undefined, { date: d }),
      ],
      { sessionOn: muhurat, timeframes: ['1m', '1h', '1d'] },
    )
    expect(bars.map((b) => [b.payload.timeframe, b.payload.openMs, b.ts])).toEqual([
      ['1m', at('18:16', 0, d), at('18:17', 0, d)],
      ['1m', at('19:14', 0, d), at('19:15', 0, d)],
      ['1h', at('18:15', 0, d), at('19:15', 0, d)],
      ['1d', at('18:15', 0, d), at('19:15', 0, d)],
    ])
  })
})
