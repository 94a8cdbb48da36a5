import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect } from 'vitest'
import { loadCalendar } from '../../src/adapters/calendar/index.js'
import { parseNiftyIndex1sCsv } from '../../src/adapters/tickFiles/index.js'
import { barsFromTicks } from '../../src/projections/bars/index.js'
import { itWithNseData, nseDataDir } from '../support/nseData.js'
import { readRegularMinuteCloses } from './index1minFile.js'

// NSE's per-second NIFTY 50 values of November 2022 (`index-1s-2022-11`), aggregated by bahi into 1-minute bars,
// against the independent 1-minute NIFTY file (`index-1min-2021-2022`, END-labelled, re-labelled by start in the
// fixture reader). Complete days per SOURCES.md: all 21 except 2022-11-28 (a 991 s capture gap) and 2022-11-29
// (capture cut at 15:32:23); on each of the 19, every one of the 375 regular minutes must give the same close.

const COMPLETE_EXCLUDED = new Set(['2022-11-28', '2022-11-29'])

const load = () => {
  const cal = loadCalendar()
  if (E.isLeft(cal)) throw new Error(`calendar: ${cal.left._tag}`)
  const dir = join(nseDataDir(), 'index-1s-2022-11')
  const oneMin = join(nseDataDir(), 'index-1min-2021-2022', 'data', '2022 NOV NIFTY.txt')
  return readdirSync(dir)
    .filter((f) => /^\d{4}-\d{2}-\d{2}\.csv$/.test(f))
    .sort()
    .map((f) => {
      const date = f.slice(0, 10)
      const parsed = parseNiftyIndex1sCsv(readFileSync(join(dir, f), 'utf8'))
      const bars = barsFromTicks(
        parsed.ticks.map((t) => t.payload),
        { sessionOn: cal.right.sessionOn },
      )
      const ref = readRegularMinuteCloses(oneMin, date)
      let matching = 0
      const mismatches: string[] = []
      for (const b of bars) {
        const r = ref.get(b.payload.openMs)
        if (r === b.payload.closePaise) matching++
        else mismatches.push(`${b.payload.openMs}: ours ${b.payload.closePaise}, file ${r}`)
      }
      return { date, parsed, bars, ref, matching, mismatches }
    })
}

describe('per-second NIFTY (Nov 2022) -> 1-minute bars vs the 1-minute NIFTY file', () => {
  itWithNseData(
    'reproduces the close of every regular minute of every complete day',
    () => {
      const days = load()
      expect(days).toHaveLength(21)
      const complete = days.filter((d) => !COMPLETE_EXCLUDED.has(d.date))
      expect(complete).toHaveLength(19)
      for (const d of complete) {
        expect(d.parsed.rejections, d.date).toEqual([])
        expect(d.ref.size, d.date).toBe(375)
        expect(
          d.bars.map((b) => b.payload.openMs),
          d.date,
        ).toEqual([...d.ref.keys()])
        expect(d.mismatches, d.date).toEqual([])
        expect(d.matching, d.date).toBe(375)
      }
      const total = complete.reduce((n, d) => n + d.matching, 0)
      expect(total).toBe(19 * 375)
      for (const d of days.filter((x) => COMPLETE_EXCLUDED.has(x.date))) {
        console.log(
          `[nifty-1s] ${d.date}: ${d.bars.length} bars, ${d.matching}/${d.ref.size} closes match; ${d.mismatches.join('; ')}`,
        )
      }
      console.log(`[nifty-1s] complete days: ${complete.length}, minutes matching: ${total}/${complete.length * 375}`)
    },
    120_000,
  )

  itWithNseData(
    'the incomplete days: the 991 s gap of 11-28 leaves 15 minutes without a bar and flags the next',
    () => {
      const days = load()
      const d28 = days.find((d) => d.date === '2022-11-28')!
      expect(d28.bars).toHaveLength(360)
      expect(d28.bars.filter((b) => b.payload.afterGap === true)).toHaveLength(1)
      expect(d28.matching).toBe(359)
      const d29 = days.find((d) => d.date === '2022-11-29')!
      expect(d29.bars).toHaveLength(375)
      expect(d29.matching).toBe(374)
    },
    120_000,
  )
})
