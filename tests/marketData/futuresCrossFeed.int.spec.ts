import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect } from 'vitest'
import {
  NIFTY25DECFUT_KEY,
  type ParsedTicks,
  parseDhanFuturesTicksCsv,
  parseKiteFuturesTicksCsv,
  type TickDraft,
} from '../../src/adapters/tickFiles/index.js'
import { createTradingCalendar } from '../../src/domain/calendar/index.js'
import { type BarDraft, barsFromTicks } from '../../src/projections/bars/index.js'
import { itWithNseData, nseDataDir } from '../support/nseData.js'

// Two brokers' feeds of the same contract (NIFTY25DECFUT) over the same five minutes of 2025-12-29, built into
// 1-minute bars independently: Kite by last-trade time, Dhan by receive time (its file has no last-trade time).
// Both are ~1/s snapshots, not the full trade tape, so a minute's extreme can fall between one feed's snapshots and a
// boundary trade can land in different minutes; the counts below are what the data gives, pinned exactly.

const dir = () => join(nseDataDir(), 'futures-ticks-2025-12-29')
const sessionOn = createTradingCalendar([]).sessionOn

const parse = (name: string, p: (t: string) => E.Either<unknown, ParsedTicks>): ParsedTicks => {
  const r = p(readFileSync(join(dir(), name), 'utf8'))
  if (E.isLeft(r)) throw new Error(`${name}: ${JSON.stringify(r.left)}`)
  return r.right
}

const bars = (ticks: readonly TickDraft[]): readonly BarDraft[] =>
  barsFromTicks(
    ticks.map((t) => t.payload),
    { sessionOn },
  )

interface Agreement {
  readonly minutes: number
  readonly high: number
  readonly low: number
  readonly volume: number
  readonly volumeDiffs: readonly number[]
}

const agreement = (a: readonly BarDraft[], b: readonly BarDraft[]): Agreement => {
  const byOpen = new Map(b.map((x) => [x.payload.openMs, x.payload]))
  let minutes = 0
  let high = 0
  let low = 0
  let volume = 0
  const volumeDiffs: number[] = []
  for (const x of a) {
    const y = byOpen.get(x.payload.openMs)
    if (y === undefined) continue
    minutes++
    if (x.payload.highPaise === y.highPaise) high++
    if (x.payload.lowPaise === y.lowPaise) low++
    if (x.payload.volume === y.volume) volume++
    volumeDiffs.push(x.payload.volume - y.volume)
  }
  return { minutes, high, low, volume, volumeDiffs }
}

describe('Kite and Dhan futures ticks, 2025-12-29 12:47-12:51 IST', () => {
  itWithNseData('parse cleanly: every row a tick except the one Dhan oi packet; Dhan float32 prices rounded', () => {
    const kite = parse('kiteconnect_nifty_futures_ticks.csv', (t) => parseKiteFuturesTicksCsv(t))
    const dhan = parse('dhan_nifty_futures_ticks.csv', (t) => parseDhanFuturesTicksCsv(t))
    expect([kite.rowsRead, kite.ticks.length, kite.rejections.length, kite.pricesRounded]).toEqual([271, 271, 0, 0])
    expect([dhan.rowsRead, dhan.ticks.length, dhan.rejections.length, dhan.skipped.length]).toEqual([356, 355, 0, 1])
    expect(dhan.pricesRounded).toBeGreaterThan(0)
    expect(new Set([...kite.ticks, ...dhan.ticks].map((t) => t.payload.instrumentKey))).toEqual(
      new Set([NIFTY25DECFUT_KEY]),
    )
    console.log(`[cross-feed] Dhan prices rounded to the paisa: ${dhan.pricesRounded}`)
  })

  itWithNseData('aggregate to 1-minute bars that agree on high, low and volume (counts pinned)', () => {
    const kite = parse('kiteconnect_nifty_futures_ticks.csv', (t) => parseKiteFuturesTicksCsv(t)).ticks
    const dhan = parse('dhan_nifty_futures_ticks.csv', (t) => parseDhanFuturesTicksCsv(t)).ticks
    const whole = agreement(bars(kite), bars(dhan))
    // Overlap by snapshot time: Kite rows inside [Dhan's first, Dhan's last] packet, so both start from the same
    // cumulative-volume baseline and stop at the same moment.
    const from = dhan[0]!.ts
    const to = dhan.at(-1)!.ts
    const kiteClipped = kite.filter((t) => t.ts >= from && t.ts <= to)
    const clipped = agreement(bars(kiteClipped), bars(dhan))
    const total = (ts: readonly TickDraft[]) => (ts.at(-1)!.payload.volume ?? 0) - (ts[0]!.payload.volume ?? 0)
    console.log(`[cross-feed] whole files: ${JSON.stringify(whole)}`)
    console.log(`[cross-feed] overlap window: ${JSON.stringify(clipped)}`)
    console.log(`[cross-feed] overlap total volume kite=${total(kiteClipped)} dhan=${total(dhan)}`)
    expect(whole).toEqual({ minutes: 5, high: 4, low: 4, volume: 0, volumeDiffs: [750, -300, 300, -1200, 1425] })
    expect(clipped).toEqual({ minutes: 5, high: 4, low: 4, volume: 1, volumeDiffs: [0, -300, 300, -1200, 975] })
    // Cumulative volume: both start from the same baseline; at the window's end Kite is 225 (three lots) short, and
    // a later Kite snapshot carries exactly Dhan's last cumulative volume (the feeds sample the same counter).
    expect(kiteClipped[0]!.payload.volume).toBe(dhan[0]!.payload.volume)
    expect(total(dhan) - total(kiteClipped)).toBe(225)
    expect(kite.some((t) => t.ts > to && t.payload.volume === dhan.at(-1)!.payload.volume)).toBe(true)
  })
})
