import type { DuckDBConnection } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import { type MarketStoreError, reasonOf } from './marketStoreErrors.js'
import { TABLES } from './schema.js'

// Symbol -> instrument key from the instruments table (filled by importing an Upstox instrument master), so that
// files named by symbol resolve without a hand-kept table. Only NSE cash and index instruments: the data sets are
// NSE's, and a derivative's trading symbol (`NIFTY25DECFUT`) names one contract, never a file's stock. If NSE_EQ and
// NSE_INDEX both claim a symbol, the equity wins.

/** Trading symbol -> instrument key from a query of (symbol, key) rows; where rows share a symbol, the first wins. */
const symbolMap = async (
  conn: DuckDBConnection,
  sql: string,
): Promise<E.Either<MarketStoreError, ReadonlyMap<string, string>>> => {
  try {
    const out = new Map<string, string>()
    for (const [symbol, key] of (await conn.runAndReadAll(sql)).getRows()) {
      if (typeof symbol === 'string' && typeof key === 'string' && !out.has(symbol)) out.set(symbol, key)
    }
    return E.right(out)
  } catch (e) {
    return E.left({ _tag: 'StoreQueryFailed', reason: reasonOf(e) })
  }
}

export const instrumentSymbols = (conn: DuckDBConnection) =>
  symbolMap(
    conn,
    `SELECT trading_symbol, instrument_key FROM ${TABLES.instruments} WHERE segment IN ('NSE_EQ', 'NSE_INDEX')
     ORDER BY segment <> 'NSE_EQ', instrument_key DESC`,
  )

/**
 * Trading symbol -> instrument key over every segment, for naming a backtest's instruments: a derivative's symbol
 * names its one contract there. Where segments share a symbol, NSE cash wins, then NSE indices, then the other
 * segments in name order (so `INFY` is the NSE equity even if another segment's master row claims it).
 */
export const tradingSymbols = (conn: DuckDBConnection) =>
  symbolMap(
    conn,
    `SELECT trading_symbol, instrument_key FROM ${TABLES.instruments}
     ORDER BY CASE segment WHEN 'NSE_EQ' THEN 0 WHEN 'NSE_INDEX' THEN 1 ELSE 2 END, segment, instrument_key`,
  )
