import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import type { BarClosed, EventDraft } from '../../domain/events/index.js'
import { type MarketStoreError, reasonOf } from './marketStoreErrors.js'
import { TABLES } from './schema.js'
import { sqlString } from './sqlLiteral.js'
import { type BarQuery, streamBars } from './streamBars.js'

// The read path for every process but the market-data node. DuckDB lets one process hold the store's file and
// refuses every other process, even read-only ("Could not set lock on file"). So the writer seals finished days
// into hive-partitioned Parquet (sealParquet.ts), and a reader opens its own in-memory DuckDB with a view named like
// the store's bars table over those files: the same queries (streams merged in time order, resampling) run against
// it, see each newly sealed day on their next query, and never block the writer. The day still open is not sealed:
// it comes from the market-data node's journal and feed.

export interface MarketReader {
  readonly sealedDir: string
  readonly streamBars: (q: BarQuery) => Promise<E.Either<MarketStoreError, AsyncIterable<EventDraft<BarClosed>[]>>>
  /** Bars per (instrument, IST date) in the sealed files, for checks and coverage. */
  readonly barsPerDay: () => Promise<
    E.Either<MarketStoreError, { instrumentKey: string; date: string; bars: number }[]>
  >
  readonly close: () => void
}

export const openMarketReader = async (sealedDir: string): Promise<E.Either<MarketStoreError, MarketReader>> => {
  if (!existsSync(join(sealedDir)))
    return E.left({ _tag: 'StoreOpenFailed', path: sealedDir, reason: 'no sealed Parquet directory there yet' })
  let instance: DuckDBInstance
  try {
    instance = await DuckDBInstance.create(':memory:')
    const conn = await instance.connect()
    await conn.run(
      `CREATE VIEW ${TABLES.bars} AS SELECT instrument_key, timeframe, open_ms, open_paise, high_paise, low_paise,
         close_paise, volume, oi, flags, date FROM read_parquet(${sqlString(`${sealedDir}/**/*.parquet`)}, hive_partitioning = true)`,
    )
    conn.closeSync()
  } catch (e) {
    return E.left({ _tag: 'StoreOpenFailed', path: sealedDir, reason: reasonOf(e) })
  }
  const connect = async () => {
    try {
      return E.right(await instance.connect())
    } catch (e) {
      return E.left<MarketStoreError>({ _tag: 'StoreQueryFailed', reason: reasonOf(e) })
    }
  }
  return E.right({
    sealedDir,
    streamBars: async (q) => {
      const c = await connect()
      return E.isLeft(c) ? c : streamBars(c.right, q, () => c.right.closeSync())
    },
    barsPerDay: async () => {
      const c = await connect()
      if (E.isLeft(c)) return c
      try {
        const r = await c.right.runAndReadAll(
          `SELECT instrument_key, date::VARCHAR, count(*) FROM ${TABLES.bars} GROUP BY 1, 2 ORDER BY 1, 2`,
        )
        return E.right(r.getRows().map(([k, d, n]) => ({ instrumentKey: String(k), date: String(d), bars: Number(n) })))
      } catch (e) {
        return E.left({ _tag: 'StoreQueryFailed', reason: reasonOf(e) })
      } finally {
        c.right.closeSync()
      }
    },
    close: () => instance.closeSync(),
  })
}
