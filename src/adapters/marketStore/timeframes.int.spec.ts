import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Session, TradingCalendar } from '../../domain/calendar/index.js'
import type { BarClosed, EventDraft, Timeframe } from '../../domain/events/index.js'
import { addIstDays, istMidnight } from '../../domain/time/index.js'
import { resampleBars } from '../../projections/bars/index.js'
import { loadCalendar } from '../calendar/index.js'
import { type MarketStore, openMarketStore } from './index.js'
import type { BarRow } from './marketRows.js'

// The store's SQL resampling against the pure resampler (`resampleBars`, the live aggregator's bucket code) on
// every special session of the packaged NSE calendar (Muhurat evenings and afternoons, the 2021-02-24 extended day,
// the Saturday sessions) and on a regular day: the same bars, starts and close times. Synthetic 1-minute bars fill
// each session, two instruments.

const log = pino({ level: 'silent' })
const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}

const KEYS = ['NSE_EQ|INE002A01018', 'NSE_INDEX|Nifty 50'] as const
const REGULAR_DAY = '2025-01-02'
const TIMEFRAMES: readonly Timeframe[] = ['3m', '5m', '15m', '30m', '1h', '1d']

/** Every session of the calendar that is not a plain weekday: the special ones, whatever their hours. */
const specialSessions = (calendar: TradingCalendar): Session[] => {
  const out: Session[] = []
  const cov = calendar.coverage
  if (cov === undefined) return out
  for (let d: string | undefined = cov.from; d !== undefined && d <= cov.to; d = addIstDays(d, 1)) {
    const s = calendar.sessionOn(d)
    if (s !== undefined && s.kind !== 'regular') out.push(s)
  }
  return out
}

/** One bar a minute over the whole session, with prices that move so open/high/low/close are told apart. */
const sessionBars = (s: Session, key: string, salt: number): BarRow[] => {
  const midnight = istMidnight(s.date) as number
  const bars: BarRow[] = []
  for (let sec = s.openSec, i = 0; sec < s.closeSec; sec += 60, i++) {
    const open = 100_000 + ((i * 37 + salt) % 400) * 5
    const close = 100_000 + ((i * 53 + salt * 7) % 400) * 5
    bars.push({
      instrumentKey: key,
      timeframe: '1m',
      openMs: midnight + sec * 1000,
      openPaise: open,
      highPaise: Math.max(open, close) + ((i + salt) % 7) * 5,
      lowPaise: Math.min(open, close) - ((i * 3 + salt) % 5) * 5,
      closePaise: close,
      volume: 100 + ((i * 11 + salt) % 90),
      oi: 0,
      flags: 0,
    })
  }
  return bars
}

type Compared = readonly [string, number, number, number, number, number, number, number]
const comparable = (d: EventDraft<BarClosed>): Compared => {
  const p = d.payload
  return [p.instrumentKey, p.openMs, d.ts, p.openPaise, p.highPaise, p.lowPaise, p.closePaise, p.volume]
}
const byTimeThenKey = (a: Compared, b: Compared) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)

const collect = async (store: MarketStore, timeframe: Timeframe, source: 'stored' | 'resample') => {
  const out: EventDraft<BarClosed>[] = []
  for await (const b of right(await store.streamBars({ instrumentKeys: [], timeframe, source }))) out.push(...b)
  return out
}

let dir: string
let store: MarketStore
let calendar: TradingCalendar
let days: Session[]

beforeAll(async () => {
  calendar = right(loadCalendar())
  days = [...specialSessions(calendar), calendar.sessionOn(REGULAR_DAY) as Session]
  dir = mkdtempSync(join(tmpdir(), 'bahi-resample-'))
  store = right(await openMarketStore(join(dir, 'market.duckdb'), log))
  right(await store.write({ bars: days.flatMap((s, i) => KEYS.flatMap((k, j) => sessionBars(s, k, i * 13 + j))) }))
})

afterAll(() => {
  store?.close()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

describe('store resampling follows each date’s session, as resampleBars does', () => {
  it('covers the calendar’s special sessions: Muhurat evenings and afternoon, the extended day, Saturdays', () => {
    const dates = days.map((s) => s.date)
    expect(dates).toEqual(
      expect.arrayContaining(['2021-02-24', '2024-03-02', '2024-11-01', '2025-02-01', '2025-10-21', REGULAR_DAY]),
    )
    expect(days.length).toBeGreaterThanOrEqual(10)
  })

  it.each(TIMEFRAMES)(
    '%s: the same bars, starts and close times on every special session and a regular day',
    async (tf) => {
      const minutes = await collect(store, '1m', 'stored')
      const expected = right(
        resampleBars(
          minutes.map((d) => d.payload),
          tf,
          calendar.sessionOn,
        ),
      )
      expect(expected.outOfSession).toBe(0)
      const want = expected.bars.map(comparable).sort(byTimeThenKey)
      const got = (await collect(store, tf, 'resample')).map(comparable).sort(byTimeThenKey)
      expect(got).toEqual(want)
    },
  )

  it('the 2024-11-01 Muhurat hour is one 1h bar, 18:00-19:00 IST, and its 1d bar closes at 19:00, not at 15:30', async () => {
    const muhurat = (d: EventDraft<BarClosed>) =>
      d.payload.instrumentKey === KEYS[0] &&
      d.payload.openMs >= Date.parse('2024-11-01T00:00:00+05:30') &&
      d.payload.openMs < Date.parse('2024-11-02T00:00:00+05:30')
    const hours = (await collect(store, '1h', 'resample')).filter(muhurat)
    expect(hours.map((d) => [d.payload.openMs, d.ts])).toEqual([
      [Date.parse('2024-11-01T18:00:00+05:30'), Date.parse('2024-11-01T19:00:00+05:30')],
    ])
    const daily = (await collect(store, '1d', 'resample')).filter(muhurat)
    expect(daily.map((d) => [d.payload.openMs, d.ts])).toEqual([
      [Date.parse('2024-11-01T18:00:00+05:30'), Date.parse('2024-11-01T19:00:00+05:30')],
    ])
  })

  it('a stored daily bar labelled 09:15 on a Muhurat date closes at the session’s close, 19:00', async () => {
    const label = Date.parse('2024-11-01T09:15:00+05:30')
    const d = mkdtempSync(join(tmpdir(), 'bahi-resample-d-'))
    const s = right(await openMarketStore(join(d, 'm.duckdb'), log))
    try {
      right(
        await s.write({
          bars: [
            { ...sessionBars(days[0] as Session, KEYS[0], 0)[0]!, timeframe: '1d', openMs: label },
            {
              ...sessionBars(days[0] as Session, KEYS[0], 0)[0]!,
              timeframe: '1d',
              openMs: Date.parse(`${REGULAR_DAY}T09:15:00+05:30`),
            },
          ],
        }),
      )
      const bars = await collect(s, '1d', 'stored')
      expect(bars.map((b) => b.ts)).toEqual([
        Date.parse('2024-11-01T19:00:00+05:30'),
        Date.parse(`${REGULAR_DAY}T15:30:00+05:30`),
      ])
    } finally {
      s.close()
      rmSync(d, { recursive: true, force: true })
    }
  })
})
