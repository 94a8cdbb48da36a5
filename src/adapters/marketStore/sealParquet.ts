import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import { istDateSql } from './coverage.js'
import { type MarketStoreError, reasonOf } from './marketStoreErrors.js'
import { TABLES } from './schema.js'
import { sqlString } from './sqlLiteral.js'

// Sealing: finished days' bars copied out of the DuckDB file into Parquet, hive-partitioned as
// `<dir>/exchange=NSE/timeframe=1m/date=2025-01-02/data_0.parquet`, which DuckDB, Polars and pandas read directly
// (and which another process can read while the writer holds the DuckDB file: see marketReader.ts). Only days strictly before
// `beforeDate` are sealed: the caller (who knows the clock) says which days are finished. Re-sealing a day
// replaces its partition with the same content, so sealing is idempotent. Exchange = the instrument key's
// segment up to the first `_` (`NSE_EQ|…` -> `NSE`). Columns: the bars table's, prices in paise, times epoch ms.

export interface SealResult {
  readonly bars: number
  readonly partitions: number
}

export const sealParquet = async (
  conn: DuckDBConnection,
  dir: string,
  beforeDate: string,
): Promise<E.Either<MarketStoreError, SealResult>> => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(beforeDate)) {
    return E.left({ _tag: 'StoreQueryFailed', reason: `beforeDate "${beforeDate}" is not YYYY-MM-DD` })
  }
  const source = `SELECT split_part(instrument_key, '_', 1) AS exchange, timeframe, ${istDateSql('open_ms')} AS date,
      instrument_key, open_ms, open_paise, high_paise, low_paise, close_paise, volume, oi, flags
    FROM ${TABLES.bars} WHERE ${istDateSql('open_ms')} < ${sqlString(beforeDate)}`
  try {
    const counts = await conn.runAndReadAll(
      `SELECT count(*), count(DISTINCT (exchange, timeframe, date)) FROM (${source})`,
    )
    const row = counts.getRows()[0] ?? []
    const bars = Number(row[0])
    if (bars > 0) {
      // Written to a staging directory first (beside the sealed one: the same file system, so renames are atomic, and
      // outside the readers' glob), then each partition is swapped in by renames: a reader in another process sees a
      // partition's old files or its new ones (or, for an instant, none), never a half-written file or both. The old
      // partition is removed rather than overwritten file by file because DuckDB may split a partition over a
      // different number of files from one run to the next, and a stale extra file would be read twice.
      const staging = `${dir}.staging-${process.pid}-${Date.now()}`
      mkdirSync(dir, { recursive: true })
      await conn.run(
        `COPY (${source} ORDER BY exchange, timeframe, date, open_ms, instrument_key) TO ${sqlString(staging)}
         (FORMAT parquet, PARTITION_BY (exchange, timeframe, date))`,
      )
      for (const ex of readdirSync(staging)) {
        for (const tf of readdirSync(join(staging, ex))) {
          for (const date of readdirSync(join(staging, ex, tf))) {
            const target = join(dir, ex, tf, date)
            const old = `${staging}.old-${ex}-${tf}-${date}`
            mkdirSync(join(dir, ex, tf), { recursive: true })
            if (existsSync(target)) renameSync(target, old)
            renameSync(join(staging, ex, tf, date), target)
            rmSync(old, { recursive: true, force: true })
          }
        }
      }
      rmSync(staging, { recursive: true, force: true })
    }
    return E.right({ bars, partitions: Number(row[1]) })
  } catch (e) {
    return E.left({ _tag: 'StoreWriteFailed', reason: `sealing to ${dir}: ${reasonOf(e)}` })
  }
}
