import type { DuckDBConnection } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import { type MarketStoreError, reasonOf } from './marketStoreErrors.js'
import { TABLES } from './schema.js'

// Instrument key -> tick size in paise, from the instruments table (an imported Upstox instrument master), so the
// importers' off-tick check uses each instrument's own tick. Instruments whose master row gave no tick are left
// out: the importer then falls back to its default (docs/market-data.md).

export const instrumentTickSizes = async (
  conn: DuckDBConnection,
): Promise<E.Either<MarketStoreError, ReadonlyMap<string, number>>> => {
  try {
    const reader = await conn.runAndReadAll(
      `SELECT instrument_key, tick_size_paise FROM ${TABLES.instruments} WHERE tick_size_paise > 0`,
    )
    const out = new Map<string, number>()
    for (const [key, tick] of reader.getRows()) {
      if (typeof key === 'string' && tick !== null) out.set(key, Number(tick))
    }
    return E.right(out)
  } catch (e) {
    return E.left({ _tag: 'StoreQueryFailed', reason: reasonOf(e) })
  }
}
