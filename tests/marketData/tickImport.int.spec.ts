import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect } from 'vitest'
import { loadCalendar } from '../../src/adapters/calendar/index.js'
import { importPath, loadSymbolTable, type ParseFileOptions } from '../../src/adapters/importers/index.js'
import { type MarketStore, openMarketStore } from '../../src/adapters/marketStore/index.js'
import { parseTickFile } from '../../src/adapters/tickFiles/index.js'
import { commands } from '../../src/processes/cli/commands/index.js'
import { barsFromTicks } from '../../src/projections/bars/index.js'
import { itWithNseData, nseDataDir } from '../support/nseData.js'

// Commands load on demand (see commands/index.ts).
const { importCommand } = await commands.import()

// Ticks into the store from the real tick files: every format detected, IST/UTC read right, integer paise, exchange
// time where the source has it, one transaction per file, re-imports change nothing, and `--bars` stores exactly
// the aggregator's 1-minute bars.

const log = pino({ level: 'silent' })
const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}
const futures = () => join(nseDataDir(), 'futures-ticks-2025-12-29')
const index1s = () => join(nseDataDir(), 'index-1s-2022-11')
const opts = (): ParseFileOptions => ({
  policy: 'skip',
  symbolKeys: right(loadSymbolTable(join(import.meta.dirname, '..', '..', 'data', 'instruments', 'nse-symbols.csv'))),
  calendar: right(loadCalendar()),
})
const rowsOf = async (dbPath: string, sql: string): Promise<unknown[][]> => {
  const db = await DuckDBInstance.create(dbPath, { access_mode: 'READ_ONLY' })
  const c = await db.connect()
  try {
    return (await c.runAndReadAll(sql)).getRows()
  } finally {
    c.closeSync()
    db.closeSync()
  }
}

describe('importing tick files', () => {
  let dir: string
  let store: MarketStore
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bahi-ticks-import-'))
    store = right(await openMarketStore(join(dir, 'market.duckdb'), log))
  })
  afterEach(() => {
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  itWithNseData('a day of per-second NIFTY values: every line a tick, idempotent on re-import', async () => {
    const file = join(index1s(), '2022-11-01.csv')
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').length
    const first = right(await importPath(store, file, opts(), log))
    expect(first.outcomes[0]?.format).toBe('nifty-index-1s')
    expect([first.rowsRead, first.byTable.ticks.imported, first.byTable.bars.imported, first.rejected]).toEqual([
      lines,
      lines,
      0,
      0,
    ])
    const again = right(await importPath(store, file, opts(), log))
    expect(again.byTable.ticks).toEqual({ imported: 0, unchanged: lines, conflicting: 0 })
    expect(right(await store.counts()).ticks).toBe(lines)
  })

  itWithNseData(
    'Kite (UTC) and Dhan (naive IST) futures snapshots: paise, exchange time for Kite, seq per second',
    async () => {
      const s = right(await importPath(store, join(futures(), 'kiteconnect_nifty_futures_ticks.csv'), opts(), log))
      const d = right(await importPath(store, join(futures(), 'dhan_nifty_futures_ticks.csv'), opts(), log))
      expect([s.outcomes[0]?.format, d.outcomes[0]?.format]).toEqual(['kite-futures-ticks', 'dhan-futures-ticks'])
      expect([s.byTable.ticks.imported, d.byTable.ticks.imported]).toEqual([271, 355])
      // Dhan's one `oi` packet is not a tick: read, not stored, not an error.
      expect([d.rowsRead, d.rejected, d.filesRejected]).toEqual([356, 0, 0])
      store.close()
      const kiteText = readFileSync(join(futures(), 'kiteconnect_nifty_futures_ticks.csv'), 'utf8')
      const kite = right(parseTickFile(kiteText))
      const t0 = kite.ticks[0]?.payload
      const rows = await rowsOf(
        join(dir, 'market.duckdb'),
        `SELECT ltt_ms, seq, ltp_paise, ltq, volume, oi FROM ticks WHERE instrument_key = 'NSE_FO|49543'
       ORDER BY ltt_ms, seq LIMIT 1`,
      )
      // The earliest stored tick is the earliest last-trade time (exchange time, not the snapshot's receive time).
      const earliest = Math.min(...kite.ticks.map((t) => t.payload.lttMs))
      expect(Number(rows[0]?.[0])).toBe(earliest)
      expect(t0?.lttMs).toBeLessThanOrEqual(kite.ticks[0]?.ts ?? 0)
      const perSecond = await rowsOf(
        join(dir, 'market.duckdb'),
        `SELECT max(seq), count(*), count(DISTINCT (ltt_ms, seq)) FROM ticks WHERE instrument_key = 'NSE_FO|49543'`,
      )
      // Snapshots repeat a last-trade time; seq keeps them apart instead of dropping them.
      expect(Number(perSecond[0]?.[0])).toBeGreaterThan(0)
      expect(Number(perSecond[0]?.[1])).toBe(271 + 355)
      expect(Number(perSecond[0]?.[2])).toBe(271 + 355)
      store = right(await openMarketStore(join(dir, 'market.duckdb'), log))
    },
  )

  itWithNseData(
    'a tick file with a bad line: skipped and listed under skip, the whole file refused under reject',
    async () => {
      const bad = join(dir, 'dhan.csv')
      const text = readFileSync(join(futures(), 'dhan_nifty_futures_ticks.csv'), 'utf8').split('\n')
      text[5] = (text[5] ?? '').replace(/^([^,]*),full,[^,]*/, '$1,full,abc')
      writeFileSync(bad, text.join('\n'))
      const rejected = right(await importPath(store, bad, { ...opts(), policy: 'reject' }, log))
      expect(rejected.filesRejected).toBe(1)
      expect(rejected.outcomes[0]?.error).toEqual({ line: 6, reason: 'unreadable: invalid ltp "abc"' })
      expect(right(await store.counts()).ticks).toBe(0)
      const skipped = right(await importPath(store, bad, opts(), log))
      expect(skipped.outcomes[0]?.skipped).toEqual([{ line: 6, kind: 'unreadable', detail: 'invalid ltp "abc"' }])
      expect([skipped.byTable.ticks.imported, skipped.rejected]).toEqual([354, 1])
    },
  )

  itWithNseData(
    'bahi import --bars: the stored 1-minute bars are the aggregator fold of the stored ticks',
    async () => {
      store.close()
      const home = join(dir, 'home')
      const src = join(dir, 'src')
      rmSync(src, { recursive: true, force: true })
      const { mkdirSync } = await import('node:fs')
      mkdirSync(src)
      copyFileSync(join(index1s(), '2022-11-01.csv'), join(src, '2022-11-01.csv'))
      const out: string[] = []
      const io = { out: (l: string) => out.push(l), err: () => {} }
      const code = await importCommand({ path: src, home, json: true, bars: true, progress: 'none' }, io, log)
      expect(code).toBe(0)
      const summary = JSON.parse(out.join('\n'))
      const ticks = right(parseTickFile(readFileSync(join(src, '2022-11-01.csv'), 'utf8'))).ticks.map((t) => t.payload)
      const expected = barsFromTicks(ticks, { sessionOn: right(loadCalendar()).sessionOn, timeframes: ['1m'] })
      // A full session: 375 minutes, each with a bar (the per-second series has no minute-long gap on 11-01).
      expect(expected.length).toBe(375)
      expect(summary.byTable.bars.imported).toBe(expected.length)
      // and the ticks stored but left out of the bars are counted: here those before 09:15 or from 15:30 IST
      const minute = (ms: number) => Math.floor(((ms + 19_800_000) % 86_400_000) / 60_000)
      const outside = ticks.filter((t) => minute(t.lttMs) < 555 || minute(t.lttMs) >= 930).length
      expect(outside).toBeGreaterThan(0)
      expect(summary.ticksNotInBars).toEqual({ late: 0, duplicates: 0, outsideSession: outside })
      const stored = await rowsOf(
        join(home, 'market', 'market.duckdb'),
        `SELECT open_ms, open_paise, high_paise, low_paise, close_paise, volume FROM bars ORDER BY open_ms`,
      )
      expect(stored.map((r) => r.map(Number))).toEqual(
        expected.map((b) => [
          b.payload.openMs,
          b.payload.openPaise,
          b.payload.highPaise,
          b.payload.lowPaise,
          b.payload.closePaise,
          b.payload.volume,
        ]),
      )
      store = right(await openMarketStore(join(dir, 'market.duckdb'), log))
    },
  )
})
