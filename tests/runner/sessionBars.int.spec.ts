import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { loadCalendar } from '../../src/adapters/calendar/index.js'
import type { TickPayload } from '../../src/adapters/upstoxFeed/index.js'
import type { BarClosed, Envelope } from '../../src/domain/events/index.js'
import { unsafe } from '../../src/domain/ids/index.js'
import { unsafeMoney } from '../../src/domain/money/index.js'
import { istInstant } from '../../src/domain/time/index.js'
import { openFileJournal } from '../../src/journal/index.js'
import { createBuiltinEngine } from '../../src/processes/engine/index.js'
import { createTradingSession, sessionHeader } from '../../src/processes/runner/index.js'
import { DEFAULT_SIMULATOR_CONFIG } from '../../src/projections/index.js'

// The market side of a session, fed by hand: which ticks become bars, when the feed's clock closes a bar, and what
// a subscription snapshot may and may not do.

const RELIANCE = unsafe.instrumentKey('NSE_EQ|INE002A01018')
const TCS = unsafe.instrumentKey('NSE_EQ|INE467B01029')
const at = (hhmmss: string) => istInstant('2025-01-06', hhmmss.slice(0, 5))! + Number(hhmmss.slice(6)) * 1000
const tick = (key = RELIANCE, time: string, rupees: number, volume: number): TickPayload => ({
  instrumentKey: key,
  ltpPaise: unsafeMoney.price(rupees * 100),
  lttMs: at(time),
  ltq: 1,
  volume,
})

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

const session = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bahi-session-bars-'))
  dirs.push(dir)
  const journal = openFileJournal(path.join(dir, 'journal'))
  if (E.isLeft(journal)) throw new Error(journal.left._tag)
  const calendar = loadCalendar()
  if (E.isLeft(calendar)) throw new Error('no calendar')
  const engine = createBuiltinEngine()
  const bars: BarClosed['payload'][] = []
  const s = createTradingSession({
    journal: journal.right,
    engine,
    state: engine.initialState(),
    calendar: calendar.right,
    log: pino({ level: 'silent' }),
    nowMs: () => at('09:30:00'),
    onCascade: (c: readonly Envelope[]) => {
      for (const e of c) if (e.type === 'BarClosed') bars.push(e.payload)
    },
  })
  for (const d of sessionHeader({
    runId: 'bars',
    mode: 'paper',
    startedMs: at('09:14:00'),
    capitalPaise: 100_000_000,
    codeVersion: 'test',
    strategy: { kind: 'streak', params: {}, exits: {} },
    instruments: [RELIANCE, TCS],
    limits: {},
    simulator: DEFAULT_SIMULATOR_CONFIG,
    data: {},
  }))
    await s.handle(d)
  const live = (ticks: TickPayload[], serverTime: string) =>
    s.onTicks(ticks, { kind: 'live_feed', currentTs: at(serverTime) })
  const snapshot = (ticks: TickPayload[], serverTime: string) =>
    s.onTicks(ticks, { kind: 'initial_feed', currentTs: at(serverTime) })
  const settle = async () => {
    const r = await s.stop('bars', 'test over')
    await journal.right.close()
    return r
  }
  return { s, bars, live, snapshot, settle }
}

describe('a session builds bars', () => {
  it('leaves out the minute it joined late, and builds the next minutes from their trades by exchange time', async () => {
    const { s, bars, live, settle } = await session()
    live([tick(RELIANCE, '09:15:20', 100, 1_000)], '09:15:20')
    live([tick(RELIANCE, '09:16:00', 101, 1_100)], '09:16:00')
    live([tick(RELIANCE, '09:16:30', 103, 1_250), tick(RELIANCE, '09:16:45', 102, 1_300)], '09:16:45')
    live([tick(RELIANCE, '09:17:05', 104, 1_320)], '09:17:05')
    expect(await settle()).toEqual(E.right(undefined))
    // 09:15 was joined at 09:15:20: no bar. 09:16 holds its three trades and the volume traded in it.
    expect(bars.map((b) => [b.openMs, b.openPaise, b.highPaise, b.lowPaise, b.closePaise, b.volume])).toEqual([
      [at('09:16:00'), 10_100, 10_300, 10_100, 10_200, 300],
    ])
    expect(s.counters()).toMatchObject({ ticks: 5, bars: 1, partialBars: 1 })
  })

  it('closes a bar on the feed clock when its instrument stops trading, once the grace has passed', async () => {
    const { s, bars, live, settle } = await session()
    live([tick(RELIANCE, '09:15:00', 100, 10), tick(TCS, '09:15:00', 4_000, 10)], '09:15:00')
    live([tick(RELIANCE, '09:15:40', 101, 20)], '09:15:40')
    // TCS trades no more; RELIANCE's ticks move the server clock past 09:16 + 2 s
    live([tick(RELIANCE, '09:16:01', 102, 30)], '09:16:01')
    expect(s.counters().bars).toBe(1)
    live([tick(RELIANCE, '09:16:03', 102, 31)], '09:16:03')
    expect(s.counters().bars).toBe(2)
    await settle()
    expect(bars.map((b) => [b.instrumentKey, b.openMs])).toEqual([
      [RELIANCE, at('09:15:00')],
      [TCS, at('09:15:00')],
    ])
  })

  it('records a snapshot once, builds no bar from it, and drops a snapshot repeating a trade already seen', async () => {
    const { s, bars, live, snapshot, settle } = await session()
    // the previous session's last print, as sent after a subscription
    snapshot([tick(RELIANCE, '09:14:59', 99, 900)], '09:15:00')
    live([tick(RELIANCE, '09:15:00', 100, 1_000), tick(RELIANCE, '09:15:30', 101, 1_100)], '09:15:30')
    // a reconnect re-sends the last trade
    snapshot([tick(RELIANCE, '09:15:30', 101, 1_100)], '09:15:50')
    live([tick(RELIANCE, '09:16:10', 102, 1_200)], '09:16:10')
    await settle()
    expect(s.counters()).toMatchObject({ ticks: 4, staleSnapshots: 1, bars: 1, partialBars: 0 })
    expect(bars.map((b) => [b.openMs, b.openPaise, b.closePaise])).toEqual([[at('09:15:00'), 10_000, 10_100]])
    // the snapshot tick is in the journal as an input (it marks positions)
    expect(s.state().trading.portfolio.marks.get(RELIANCE)?.markPaise).toBe(10_200)
  })
})
