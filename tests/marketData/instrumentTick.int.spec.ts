import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadCalendar } from '../../src/adapters/calendar/index.js'
import { importPath, loadSymbolTable, type ParseFileOptions } from '../../src/adapters/importers/index.js'
import { type MarketStore, openMarketStore } from '../../src/adapters/marketStore/index.js'
import { itWithNseData, nseDataDir } from '../support/nseData.js'

// The off-tick check uses each instrument's own tick from the stored instrument master, and 0.05 INR when the
// store has none for it. The master is written by the test, with keys that are plainly not real.

const log = pino({ level: 'silent' })
const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}
const opts = (): ParseFileOptions => ({
  policy: 'skip',
  symbolKeys: right(loadSymbolTable(join(import.meta.dirname, '..', '..', 'data', 'instruments', 'nse-symbols.csv'))),
  calendar: right(loadCalendar()),
})
const equity = (symbol: string, tick: number | null) => ({
  instrument_key: `NSE_EQ|FIXTURE-${symbol}`,
  exchange: 'NSE',
  segment: 'NSE_EQ',
  trading_symbol: symbol,
  name: 'HAND-WRITTEN FIXTURE, NOT A REAL KEY',
  lot_size: 1,
  ...(tick === null ? {} : { tick_size: tick }),
  instrument_type: 'EQ',
})
// Daily bars on 0.01 (line 2) and on 0.05 (line 3); 2025-01-02 and -03 were trading days.
const EOD = 'date,o,h,l,c,v\n2025-01-02,100.01,101.00,99.00,100.50,10\n2025-01-03,100.05,101.00,99.00,100.50,10\n'

describe('off-tick check: the instrument master tick, else 0.05 INR', () => {
  let dir: string
  let store: MarketStore
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bahi-tick-size-'))
    store = right(await openMarketStore(join(dir, 'market.duckdb'), log))
  })
  afterEach(() => {
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a 1-paisa tick flags nothing on 0.01, a 10-paise tick flags 0.05, no tick in the master falls back to 0.05', async () => {
    const src = join(dir, 'src')
    mkdirSync(src)
    // `0-` sorts the master first, so the files after it resolve through it (and take its ticks).
    writeFileSync(
      join(src, '0-master.json'),
      JSON.stringify([equity('FIXPAISA', 1.0), equity('FIXTEN', 10.0), equity('FIXNONE', null)]),
    )
    for (const s of ['FIXPAISA', 'FIXTEN', 'FIXNONE']) writeFileSync(join(src, `${s}.csv`), EOD)
    const r = right(await importPath(store, src, { ...opts(), policy: 'flag' }, log))
    expect(r.filesRejected).toBe(0)
    const flags = Object.fromEntries(
      r.outcomes.map((o) => [o.file.split('/').pop(), o.flagged.map((i) => [i.line, i.kind])]),
    )
    expect(flags).toEqual({
      '0-master.json': [],
      'FIXPAISA.csv': [],
      // 100.01 and 100.05 are both off a 0.10 tick.
      'FIXTEN.csv': [
        [2, 'offTick'],
        [3, 'offTick'],
      ],
      // No tick in the master: 0.05 INR, so 100.01 is off it and 100.05 on it.
      'FIXNONE.csv': [[2, 'offTick']],
    })
    expect(r.outcomes.find((o) => o.file.endsWith('FIXTEN.csv'))?.flagged[0]?.detail).toBe(
      'a price is not a multiple of the 0.10 tick',
    )
  })

  it('the tick comes from the store on a later import too, not only from the master of the same run', async () => {
    const master = join(dir, 'master.json')
    writeFileSync(master, JSON.stringify([equity('FIXPAISA', 1.0)]))
    right(await importPath(store, master, opts(), log))
    store.close()
    store = right(await openMarketStore(join(dir, 'market.duckdb'), log))
    const file = join(dir, 'FIXPAISA.csv')
    writeFileSync(file, EOD)
    const r = right(await importPath(store, file, opts(), log))
    expect([r.imported, r.rejected, r.outcomes[0]?.skipped]).toEqual([2, 0, []])
  })

  itWithNseData("ticks too: the Dhan file's prices off a 20-paise tick are flagged, none off 0.05", async () => {
    const key = 'NSE_FO|FIXTURE-FUT-20P'
    const master = join(dir, 'master.json')
    writeFileSync(
      master,
      JSON.stringify([
        { instrument_key: key, exchange: 'NSE', segment: 'NSE_FO', trading_symbol: 'FIXFUT', tick_size: 20.0 },
      ]),
    )
    right(await importPath(store, master, opts(), log))
    const dhan = join(nseDataDir(), 'futures-ticks-2025-12-29', 'dhan_nifty_futures_ticks.csv')
    const twenty = right(await importPath(store, dhan, { ...opts(), instrumentKey: key }, log))
    // (Every price in the file is on 0.10, so a 20-paise tick is what shows the master's tick is used.)
    const offTwenty = twenty.outcomes[0]?.skipped.filter((i) => i.kind === 'offTick') ?? []
    // The same file under its usual key, which the master does not know: the 0.05 default, and every price is on it.
    const usual = right(await importPath(store, dhan, opts(), log))
    expect(usual.outcomes[0]?.skipped).toEqual([])
    const ltps = readFileSync(dhan, 'utf8')
      .split('\n')
      .filter((l) => l.split(',')[1] === 'full')
      .map((l) => Math.round(Number(l.split(',')[2]) * 100))
    expect(offTwenty.length).toBe(ltps.filter((p) => p % 20 !== 0).length)
    expect(offTwenty.length).toBeGreaterThan(0)
    expect(offTwenty[0]?.detail).toMatch(/is off the 0\.20 tick$/)
  })
})
