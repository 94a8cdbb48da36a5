import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect } from 'vitest'
import { loadCalendar } from '../../src/adapters/calendar/index.js'
import { importPath, loadSymbolTable, type ParseFileOptions } from '../../src/adapters/importers/index.js'
import { type MarketStore, openMarketStore } from '../../src/adapters/marketStore/index.js'
import { itWithNseData, nseDataDir } from '../support/nseData.js'

// Symbols resolve through the store's instruments table (an imported Upstox instrument master) first, then the
// symbol table; a symbol neither knows rejects its file with a reason that names it and the fix. The master here
// is hand-written with keys that are plainly not real (no ISIN is asserted anywhere).

const log = pino({ level: 'silent' })
const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}
const master = join(import.meta.dirname, 'fixtures', 'upstoxInstrumentsMaster.json')
const eod = () => join(nseDataDir(), 'eod-2024-2025', 'data', 'eod')
const opts = (): ParseFileOptions => ({
  policy: 'skip',
  symbolKeys: right(loadSymbolTable(join(import.meta.dirname, '..', '..', 'data', 'instruments', 'nse-symbols.csv'))),
  calendar: right(loadCalendar()),
})

describe('symbol resolution: instruments table, then the symbol table', () => {
  let dir: string
  let store: MarketStore
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bahi-symbols-'))
    store = right(await openMarketStore(join(dir, 'market.duckdb'), log))
  })
  afterEach(() => {
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  itWithNseData('without a master, a symbol with no key rejects its file, naming the symbol and the fix', async () => {
    const s = right(await importPath(store, join(eod(), 'INFY.csv'), opts(), log))
    expect(s.filesRejected).toBe(1)
    expect(s.outcomes[0]?.error?.reason).toBe(
      'no instrument key for symbol "INFY": import an Upstox instrument master first (bahi import NSE.json), or pass --instrument KEY',
    )
    expect(right(await store.counts()).bars).toBe(0)
  })

  itWithNseData('after importing a master, the same file resolves through it; NSE_EQ beats NSE_FO', async () => {
    const m = right(await importPath(store, master, opts(), log))
    expect(m.byTable.instruments.imported).toBe(3)
    expect(right(await store.instrumentSymbols())).toEqual(
      new Map([
        ['INFY', 'NSE_EQ|FIXTURE-INFY'],
        ['NIFTY_BANK', 'NSE_INDEX|FIXTURE-NIFTY-BANK'],
      ]),
    )
    // For naming a backtest's instruments every segment counts, and where two claim a symbol the NSE equity wins.
    expect(right(await store.tradingSymbols())).toEqual(
      new Map([
        ['INFY', 'NSE_EQ|FIXTURE-INFY'],
        ['NIFTY_BANK', 'NSE_INDEX|FIXTURE-NIFTY-BANK'],
      ]),
    )
    const s = right(await importPath(store, eod(), opts(), log))
    expect(s.filesRejected).toBe(0)
    const cov = right(await store.coverage())
    const keys = cov.map((c) => `${c.instrumentKey} ${c.timeframe} ${c.bars}`).sort()
    // The stored instrument wins over the symbol table's row for NIFTY_BANK; the rest come from the table.
    expect(keys).toEqual([
      'NSE_EQ|FIXTURE-INFY 1d 249',
      'NSE_EQ|INE002A01018 1d 249',
      'NSE_INDEX|FIXTURE-NIFTY-BANK 1d 249',
      'NSE_INDEX|Nifty 50 1d 249',
    ])
  })

  itWithNseData('a master in the same directory as the data resolves for the files after it', async () => {
    const both = mkdtempSync(join(tmpdir(), 'bahi-symbols-dir-'))
    try {
      const { copyFileSync } = await import('node:fs')
      copyFileSync(master, join(both, '0-master.json'))
      copyFileSync(join(eod(), 'INFY.csv'), join(both, 'INFY.csv'))
      const s = right(await importPath(store, both, opts(), log))
      expect([s.filesImported, s.filesRejected, s.byTable.bars.imported]).toEqual([2, 0, 249])
    } finally {
      rmSync(both, { recursive: true, force: true })
    }
  })
})
