import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TradingCalendar } from '../../domain/calendar/index.js'
import { loadCalendar } from '../calendar/index.js'
import { hasGaps, type MarketStore, openMarketStore } from './index.js'
import type { BarRow, TickRow } from './marketRows.js'

// `gaps` on daily bars and ticks, on hand-made rows in a temporary store: which days are missing or closed, and
// which stretches of a session have no tick (its open and close count as edges).

const log = pino({ level: 'silent' })
const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}
const ist = (s: string) => Date.parse(`${s}+05:30`)
const FUT = 'NSE_FO|49543'
const EQ = 'NSE_EQ|INE002A01018'

const tick = (ms: number, seq = 0): TickRow => ({
  instrumentKey: FUT,
  lttMs: ms,
  seq,
  ltpPaise: 2_500_000,
  ltq: 75,
  volume: null,
  oi: null,
})
const daily = (date: string): BarRow => ({
  instrumentKey: EQ,
  timeframe: '1d',
  openMs: ist(`${date}T09:15:00`),
  openPaise: 100_000,
  highPaise: 101_000,
  lowPaise: 99_000,
  closePaise: 100_500,
  volume: 10,
  oi: 0,
  flags: 0,
})

/** Ticks every `stepS` seconds in [from, to). */
const every = (from: string, to: string, stepS: number): TickRow[] => {
  const out: TickRow[] = []
  for (let t = ist(from); t < ist(to); t += stepS * 1000) out.push(tick(t))
  return out
}

let dir: string
let store: MarketStore
let calendar: TradingCalendar

beforeAll(async () => {
  calendar = right(loadCalendar())
  dir = mkdtempSync(join(tmpdir(), 'bahi-gaps-'))
  store = right(await openMarketStore(join(dir, 'm.duckdb'), log))
  right(
    await store.write({
      bars: ['2025-01-01', '2025-01-03', '2025-01-04', '2025-01-06'].map(daily),
      ticks: [
        // 01-01: only pre-open ticks, none in the session.
        tick(ist('2025-01-01T09:01:00')),
        // 01-02: starts at 09:20, a 90 s hole at 11:00, stops at 15:00.
        ...every('2025-01-02T09:20:00', '2025-01-02T11:00:00', 30),
        ...every('2025-01-02T11:01:30', '2025-01-02T15:00:00', 30),
        // 01-03 is missing; 01-04 is a Saturday.
        tick(ist('2025-01-04T10:00:00')),
        // 01-06: the whole session, two ticks at the same millisecond at the end.
        ...every('2025-01-06T09:15:00', '2025-01-06T15:30:00', 30),
        tick(ist('2025-01-06T15:29:30'), 1),
      ],
    }),
  )
})

afterAll(() => {
  store?.close()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

describe('gaps of daily bars and ticks against the NSE calendar', () => {
  it('daily bars: the missing trading day and the bar on a Saturday', async () => {
    const g = right(await store.gaps(calendar)).filter((x) => x.series === '1d')
    expect(g).toEqual([
      {
        series: '1d',
        instrumentKey: EQ,
        fromDate: '2025-01-01',
        toDate: '2025-01-06',
        tradingDays: 4,
        daysWithBars: 4,
        missingDays: ['2025-01-02'],
        closedDaysWithBars: ['2025-01-04'],
        flaggedBars: [],
      },
    ])
    expect(g.every(hasGaps)).toBe(true)
  })

  it('ticks: a day with no session tick, a late start, a hole, an early stop, a missing day, a Saturday', async () => {
    const [t, ...more] = right(await store.gaps(calendar)).filter((x) => x.series === 'ticks')
    expect(more).toEqual([])
    expect(t).toMatchObject({
      instrumentKey: FUT,
      fromDate: '2025-01-01',
      toDate: '2025-01-06',
      tradingDays: 4,
      daysWithTicks: 4,
      missingDays: ['2025-01-03'],
      closedDaysWithTicks: ['2025-01-04'],
      holeSeconds: 60,
      holes: [
        { date: '2025-01-01', from: '09:15:00', to: '15:30:00', seconds: 22_500 },
        { date: '2025-01-02', from: '09:15:00', to: '09:20:00', seconds: 300 },
        { date: '2025-01-02', from: '10:59:30', to: '11:01:30', seconds: 120 },
        { date: '2025-01-02', from: '14:59:30', to: '15:30:00', seconds: 1830 },
      ],
    })
  })

  it('a threshold, a range and an instrument narrow the report', async () => {
    const g = right(
      await store.gaps(calendar, {
        instrumentKeys: [FUT],
        fromDate: '2025-01-02',
        toDate: '2025-01-02',
        tickHoleMs: 200_000,
      }),
    )
    expect(g).toMatchObject([
      {
        series: 'ticks',
        tradingDays: 1,
        daysWithTicks: 1,
        missingDays: [],
        holes: [
          { date: '2025-01-02', from: '09:15:00', to: '09:20:00', seconds: 300 },
          { date: '2025-01-02', from: '14:59:30', to: '15:30:00', seconds: 1830 },
        ],
      },
    ])
    const whole = right(await store.gaps(calendar, { instrumentKeys: [FUT], fromDate: '2025-01-06' }))
    expect(whole).toMatchObject([{ series: 'ticks', holes: [], missingDays: [] }])
    expect(whole.some(hasGaps)).toBe(false)
  })
})
