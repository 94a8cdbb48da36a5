import type { DuckDBConnection } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import { IST_OFFSET_MS } from '../../domain/time/index.js'
import { type MarketStoreError, reasonOf } from './marketStoreErrors.js'
import { TABLES } from './schema.js'
import { sqlString } from './sqlLiteral.js'

// What the store holds: per instrument and timeframe, the first and last IST trading date, bar and day counts,
// and how many bars carry a flag; and per instrument with ticks, the same for its ticks.

export interface CoverageRow {
  readonly instrumentKey: string
  readonly timeframe: string
  readonly fromDate: string
  readonly toDate: string
  readonly bars: number
  readonly days: number
  readonly flaggedBars: number
}

const istDateSql = (col: string) => `strftime(make_timestamp((${col} + ${IST_OFFSET_MS}) * 1000), '%Y-%m-%d')`

/**
 * Which instruments a coverage query covers: all of them, or only these (a backtest asks about its own, and on a
 * store of years of hundreds of instruments the whole table's day counts take seconds).
 */
export interface CoverageQuery {
  readonly instrumentKeys?: readonly string[]
}

// The empty key leads the list so that no list is empty SQL (no instrument key is empty).
const onlySql = (q: CoverageQuery): string =>
  q.instrumentKeys === undefined
    ? ''
    : `WHERE instrument_key IN (${['', ...q.instrumentKeys].map(sqlString).join(',')})`

export const coverage = async (
  conn: DuckDBConnection,
  q: CoverageQuery = {},
): Promise<E.Either<MarketStoreError, CoverageRow[]>> => {
  try {
    const reader = await conn.runAndReadAll(
      `SELECT instrument_key, timeframe, ${istDateSql('min(open_ms)')}, ${istDateSql('max(open_ms)')}, count(*),
         count(DISTINCT (open_ms + ${IST_OFFSET_MS}) // 86400000), count(*) FILTER (WHERE flags <> 0)
       FROM ${TABLES.bars} ${onlySql(q)} GROUP BY instrument_key, timeframe ORDER BY instrument_key, timeframe`,
    )
    return E.right(
      reader.getRows().map((r) => ({
        instrumentKey: String(r[0]),
        timeframe: String(r[1]),
        fromDate: String(r[2]),
        toDate: String(r[3]),
        bars: Number(r[4]),
        days: Number(r[5]),
        flaggedBars: Number(r[6]),
      })),
    )
  } catch (e) {
    return E.left({ _tag: 'StoreQueryFailed', reason: reasonOf(e) })
  }
}

/** Per instrument with stored ticks: the first and last IST date, tick and day counts. */
export interface TickCoverageRow {
  readonly instrumentKey: string
  readonly fromDate: string
  readonly toDate: string
  readonly ticks: number
  readonly days: number
}

export const tickCoverage = async (
  conn: DuckDBConnection,
  q: CoverageQuery = {},
): Promise<E.Either<MarketStoreError, TickCoverageRow[]>> => {
  try {
    const reader = await conn.runAndReadAll(
      `SELECT instrument_key, ${istDateSql('min(ltt_ms)')}, ${istDateSql('max(ltt_ms)')}, count(*),
         count(DISTINCT (ltt_ms + ${IST_OFFSET_MS}) // 86400000)
       FROM ${TABLES.ticks} ${onlySql(q)} GROUP BY instrument_key ORDER BY instrument_key`,
    )
    return E.right(
      reader.getRows().map((r) => ({
        instrumentKey: String(r[0]),
        fromDate: String(r[1]),
        toDate: String(r[2]),
        ticks: Number(r[3]),
        days: Number(r[4]),
      })),
    )
  } catch (e) {
    return E.left({ _tag: 'StoreQueryFailed', reason: reasonOf(e) })
  }
}

export { istDateSql }
