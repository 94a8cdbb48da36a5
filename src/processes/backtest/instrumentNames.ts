import { existsSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { MarketStore } from '../../adapters/marketStore/index.js'
import type { SymbolTableLoader } from './backtestPlan.js'

// What a backtest's `--instruments` may be named by (and a trading session's: `bahi run` takes the same names):
// instrument keys, and trading symbols of the store's instruments (an imported Upstox instrument master: every
// segment, so `NIFTY25NOVFUT` names its contract) before the packaged symbol table's, as an import resolves the
// symbols in its files. The store is opened read-only for it; while a writer holds it, the instrument master it last
// sealed is read instead (`bahi data seal`); with neither, the packaged table alone (the plan then refuses a name
// neither knows, saying how to add it).

/**
 * A symbol table loader for `planBacktest` (or a session's instruments) that adds the store's trading symbols, read
 * once now. Not for a synthetic run, which never loads DuckDB.
 */
export const withStoreSymbols = async (
  storePath: string,
  sealedInstrumentsDir: string,
  loadSymbolTable: SymbolTableLoader,
  log: Logger,
  /** The store, already open read-only (`openStoreOnce`); left open. */
  open?: MarketStore,
): Promise<SymbolTableLoader> => {
  if (open === undefined && !existsSync(storePath)) return loadSymbolTable
  const ms = await import('../../adapters/marketStore/index.js')
  const { describeMarketStoreError } = ms
  const opened =
    open !== undefined
      ? E.right(open)
      : await ms.openMarketStore(storePath, log.child({ component: 'market-store' }), { readOnly: true })
  const source =
    E.isLeft(opened) && opened.left._tag === 'StoreLocked'
      ? await ms.openMarketReader(undefined, { instrumentsDir: sealedInstrumentsDir })
      : opened
  if (E.isLeft(source)) {
    log.debug({ reason: describeMarketStoreError(source.left) }, 'store symbols not read; the packaged table only')
    return loadSymbolTable
  }
  const stored = await source.right.tradingSymbols()
  // The caller's store stays open for its run: closing it is the caller's business.
  if (source.right !== open) source.right.close()
  if (E.isLeft(stored)) {
    log.warn({ reason: describeMarketStoreError(stored.left) }, 'store symbols not read; the packaged table only')
    return loadSymbolTable
  }
  if (stored.right.size === 0) return loadSymbolTable
  return (path) => {
    const table = loadSymbolTable(path)
    return E.isLeft(table) ? table : E.right(new Map([...table.right, ...stored.right]))
  }
}

/**
 * What an instrument asked for as `asked` (a trading symbol, or its key) is called in the run's manifest and reports:
 * the symbol, upper-cased; asked for by key, the first symbol of `symbols` (symbol -> key) that names it, else the key.
 */
export const instrumentName = (asked: string, key: string, symbols: ReadonlyMap<string, string>): string => {
  if (asked !== key) return asked.toUpperCase()
  for (const [symbol, k] of symbols) if (k === key) return symbol
  return key
}
