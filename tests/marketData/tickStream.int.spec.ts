import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCalendar } from '../../src/adapters/calendar/index.js'
import { importPath, loadSymbolTable, type ParseFileOptions } from '../../src/adapters/importers/index.js'
import { type MarketStore, openMarketStore, type TickQuery } from '../../src/adapters/marketStore/index.js'
import { NIFTY_50_KEY, parseTickFile } from '../../src/adapters/tickFiles/index.js'
import type { TickReceived } from '../../src/domain/events/index.js'
import { istDateOf } from '../../src/domain/time/index.js'
import { bahi } from '../cli/cliHarness.js'
import { itWithNseData, nseDataDir } from '../support/nseData.js'

// Stored ticks read back from real tick files: two days of per-second NIFTY values and a Kite futures window, each
// file's ticks exactly as its parser read them (less the book fields the store does not keep), merged in exchange-time
// order across instruments, by range and instrument, with coverage counts that match the files.

const log = pino({ level: 'silent' })
const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}
const FILES = () => [
  join(nseDataDir(), 'index-1s-2022-11', '2022-11-01.csv'),
  join(nseDataDir(), 'index-1s-2022-11', '2022-11-02.csv'),
  join(nseDataDir(), 'futures-ticks-2025-12-29', 'kiteconnect_nifty_futures_ticks.csv'),
]
type Payload = TickReceived['payload']

/** What the store keeps of a tick. */
const stored = (p: Payload): Payload => ({
  instrumentKey: p.instrumentKey,
  ltpPaise: p.ltpPaise,
  lttMs: p.lttMs,
  ltq: p.ltq,
  ...(p.volume === undefined ? {} : { volume: p.volume }),
  ...(p.oi === undefined ? {} : { oi: p.oi }),
})

/** The files' ticks in the stream's order: exchange time, then instrument key, then the source's own order. */
const expectedTicks = (): Payload[] => {
  const all = FILES().flatMap((f) =>
    right(parseTickFile(readFileSync(f, 'utf8'))).ticks.map((t, line) => ({ p: stored(t.payload), line })),
  )
  // Array.prototype.sort is stable, and each file's order is kept by `line`; files do not share instruments.
  return all
    .sort(
      (a, b) =>
        a.p.lttMs - b.p.lttMs ||
        (a.p.instrumentKey < b.p.instrumentKey ? -1 : a.p.instrumentKey > b.p.instrumentKey ? 1 : 0) ||
        a.line - b.line,
    )
    .map((x) => x.p)
}

const drain = async (store: MarketStore, q: TickQuery): Promise<{ ticks: Payload[]; tsMatches: boolean }> => {
  const s = right(await store.streamTicks(q))
  const ticks: Payload[] = []
  let tsMatches = true
  for await (const chunk of s) {
    for (const d of chunk) {
      ticks.push(d.payload)
      if (d.ts !== d.payload.lttMs || d.type !== 'TickReceived') tsMatches = false
    }
  }
  return { ticks, tsMatches }
}

describe('reading stored ticks back', () => {
  let dir: string
  let store: MarketStore
  let expected: Payload[]
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bahi-tick-stream-'))
    store = right(await openMarketStore(join(dir, 'market', 'market.duckdb'), log))
    const opts: ParseFileOptions = {
      policy: 'skip',
      symbolKeys: right(
        loadSymbolTable(join(import.meta.dirname, '..', '..', 'data', 'instruments', 'nse-symbols.csv')),
      ),
      calendar: right(loadCalendar()),
    }
    for (const f of FILES()) right(await importPath(store, f, opts, log))
    expected = expectedTicks()
  }, 60_000)
  afterAll(() => {
    store?.close()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  itWithNseData(
    'every stored tick comes back as its file gave it, merged across instruments in time order',
    async () => {
      // given two days of index values and a futures window in the store
      // when every instrument's ticks are streamed
      const { ticks, tsMatches } = await drain(store, { instrumentKeys: [] })
      // then they are the files' ticks, in order, each a TickReceived at its exchange time
      expect(ticks.length).toBe(right(await store.counts()).ticks)
      expect(new Set(ticks.map((t) => t.instrumentKey)).size).toBe(2)
      expect(ticks).toEqual(expected)
      expect(tsMatches).toBe(true)
    },
  )

  itWithNseData('a range and an instrument list select exactly the ticks inside them', async () => {
    // given a window of half an hour on the first index day, and the index's key only
    const key = expected[0]!.instrumentKey
    const fromMs = Date.UTC(2022, 10, 1, 5, 0)
    const toMs = Date.UTC(2022, 10, 1, 5, 30)
    // when that window is streamed
    const { ticks } = await drain(store, { instrumentKeys: [key], fromMs, toMs })
    // then it holds exactly the expected ticks of that key with a last-trade time in [from, to)
    const inside = expected.filter((t) => t.instrumentKey === key && t.lttMs >= fromMs && t.lttMs < toMs)
    expect(inside.length).toBeGreaterThan(1000)
    expect(ticks).toEqual(inside)
    // and an instrument without ticks streams nothing
    expect((await drain(store, { instrumentKeys: ['NSE_EQ|INE002A01018'] })).ticks).toEqual([])
  })

  itWithNseData('tick coverage counts each instrument’s ticks and IST days, also in bahi data coverage', async () => {
    // given the store's tick coverage
    const coverage = right(await store.tickCoverage())
    // then each instrument's first and last date, tick count and day count are the files'
    const byKey = new Map<string, Payload[]>()
    for (const t of expected) {
      const list = byKey.get(t.instrumentKey)
      if (list === undefined) byKey.set(t.instrumentKey, [t])
      else list.push(t)
    }
    const want = [...byKey]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([instrumentKey, ts]) => {
        const days = [...new Set(ts.map((t) => istDateOf(t.lttMs)))].sort()
        return { instrumentKey, fromDate: days[0], toDate: days.at(-1), ticks: ts.length, days: days.length }
      })
    expect(coverage).toEqual(want)
    expect(coverage.map((c) => [c.instrumentKey, c.days])).toEqual([
      ['NSE_FO|49543', 1],
      [NIFTY_50_KEY, 2],
    ])
    // when `bahi data coverage --json` runs on the same store (closed here first: DuckDB admits one process)
    store.close()
    const run = await bahi(['data', 'coverage', '--home', dir, '--json'])
    store = right(await openMarketStore(join(dir, 'market', 'market.duckdb'), log))
    // then its summary lists the same tick series
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).ticks).toEqual(want)
  })
})

describe('stored ticks at the same instant', () => {
  it('go by instrument key, then in their source order; missing volume and open interest stay missing', async () => {
    // given ticks of two instruments written out of order, three of them at one millisecond, one without volume/oi
    const d = mkdtempSync(join(tmpdir(), 'bahi-tick-ties-'))
    const s = right(await openMarketStore(join(d, 'm.duckdb'), log))
    try {
      const t0 = Date.parse('2025-12-29T09:15:00+05:30')
      const row = (instrumentKey: string, lttMs: number, seq: number, ltpPaise: number) => ({
        instrumentKey,
        lttMs,
        seq,
        ltpPaise,
        ltq: 75,
        volume: 1000 + ltpPaise,
        oi: 7,
      })
      right(
        await s.write({
          ticks: [
            row('NSE_FO|49543', t0 + 1, 1, 302),
            row('NSE_FO|49543', t0 + 1, 0, 301),
            { ...row('NSE_EQ|INE002A01018', t0 + 1, 1, 200), volume: null, oi: null },
            row('NSE_EQ|INE002A01018', t0 + 2, 0, 201),
            row('NSE_FO|49543', t0, 0, 300),
          ],
        }),
      )
      // when they are streamed
      const { ticks } = await drain(s, { instrumentKeys: [] })
      // then time orders them, ties go by instrument key, then by the source's order (seq)
      expect(ticks.map((t) => [t.lttMs - t0, t.instrumentKey, t.ltpPaise])).toEqual([
        [0, 'NSE_FO|49543', 300],
        [1, 'NSE_EQ|INE002A01018', 200],
        [1, 'NSE_FO|49543', 301],
        [1, 'NSE_FO|49543', 302],
        [2, 'NSE_EQ|INE002A01018', 201],
      ])
      // and a tick stored without volume or open interest has neither field
      expect(ticks[1]).toEqual({ instrumentKey: 'NSE_EQ|INE002A01018', ltpPaise: 200, lttMs: t0 + 1, ltq: 75 })
      expect(ticks[2]).toEqual({
        instrumentKey: 'NSE_FO|49543',
        ltpPaise: 301,
        lttMs: t0 + 1,
        ltq: 75,
        volume: 1301,
        oi: 7,
      })
    } finally {
      s.close()
      rmSync(d, { recursive: true, force: true })
    }
  })
})
