import type { DuckDBConnection } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import { type MarketStoreError, reasonOf } from './marketStoreErrors.js'
import { barsTableDdl, TABLES } from './schema.js'
import { sqlString } from './sqlLiteral.js'

// The store keeps each timeframe's bars physically in stream order, (open_ms, instrument_key), so that a backtest's
// stream is a plain scan instead of a sort of the whole range: DuckDB keeps a single table's row order through
// WHERE and SELECT (its "order preservation" guarantee, with `preserve_insertion_order` at its default), and rows are
// stored in the order they were inserted.
//
// Writes keep it cheaply where they can: a batch is inserted sorted, so a batch that starts after everything stored
// of its timeframe (the market-data node's day, a later month's file) leaves the order intact. A batch that lands at
// or before the stored end (another instrument's history, an earlier month) cannot be put in its place, so the write
// records, in the same transaction, the earliest time from which that timeframe is out of order (`bars_order`). Its
// streams sort again until `orderBars` (run at the end of each `bahi import`, and when a writer opens the store)
// rewrites that tail in order.
//
// Why the tail alone is enough: every write that disorders a timeframe from `lo` inserts only rows at or after `lo`,
// and the mark keeps the lowest such `lo`. So the rows before the mark are the ones stored in order before, and
// deleting the rows from the mark on and inserting them again, sorted, puts the whole timeframe back in order.

/** True when the store records its bars' order (stores made before it do not, until a writer opens them). */
const orderKnown = async (conn: DuckDBConnection): Promise<boolean> => {
  const r = await conn.runAndReadAll(
    `SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'
       AND table_name = ${sqlString(TABLES.barsOrder)}`,
  )
  return Number(r.getRows()[0]?.[0]) > 0
}

/** Whether the stored bars of `timeframe` lie in stream order; a store that does not record it reads as not. */
export const barsInStreamOrder = async (conn: DuckDBConnection, timeframe: string): Promise<boolean> => {
  if (!(await orderKnown(conn))) return false
  const r = await conn.runAndReadAll(`SELECT 1 FROM ${TABLES.barsOrder} WHERE timeframe = ${sqlString(timeframe)}`)
  return r.getRows().length === 0
}

const inTransaction = async (conn: DuckDBConnection, steps: readonly string[]): Promise<void> => {
  await conn.run('BEGIN TRANSACTION')
  try {
    for (const sql of steps) await conn.run(sql)
    await conn.run('COMMIT')
  } catch (e) {
    try {
      await conn.run('ROLLBACK')
    } catch {
      // The transaction may already be aborted; the store is as before either way.
    }
    throw e
  }
}

/**
 * A writer's first open of a store made before the order was recorded: the table is created and every stored
 * timeframe marked out of order from its first bar, so that `orderBars` (called next) rewrites it once.
 */
export const adoptBarOrder = async (conn: DuckDBConnection): Promise<void> => {
  if (await orderKnown(conn)) return
  // One transaction: the table without its marks would say an unordered store is in order.
  await inTransaction(conn, [
    `CREATE TABLE ${TABLES.barsOrder} (timeframe VARCHAR PRIMARY KEY, unordered_from_ms BIGINT NOT NULL)`,
    `INSERT INTO ${TABLES.barsOrder} SELECT timeframe, min(open_ms) FROM ${TABLES.bars} GROUP BY 1`,
  ])
}

/** Each timeframe's earliest bar start in a batch about to be written. */
export type BatchStarts = ReadonlyMap<string, number>

/**
 * Inside the write's transaction, before its rows go in: the timeframes the batch would put out of order (it holds a
 * bar starting at or before the last stored one), each with the batch's earliest start.
 */
export const disorderedBy = async (conn: DuckDBConnection, starts: BatchStarts): Promise<[string, number][]> => {
  if (starts.size === 0) return []
  const r = await conn.runAndReadAll(
    `SELECT timeframe, max(open_ms) FROM ${TABLES.bars}
       WHERE timeframe IN (${[...starts.keys()].map(sqlString).join(',')}) GROUP BY 1`,
  )
  const out: [string, number][] = []
  for (const [tf, last] of r.getRows()) {
    const lo = starts.get(String(tf))
    if (lo !== undefined && lo <= Number(last)) out.push([String(tf), lo])
  }
  return out
}

/** Inside the write's transaction, after its rows went in: records where each timeframe is out of order from. */
export const markDisordered = async (conn: DuckDBConnection, marks: readonly [string, number][]): Promise<void> => {
  for (const [tf, lo] of marks) {
    await conn.run(
      `INSERT INTO ${TABLES.barsOrder} VALUES (${sqlString(tf)}, ${Math.trunc(lo)})
         ON CONFLICT (timeframe) DO UPDATE SET unordered_from_ms = least(unordered_from_ms, excluded.unordered_from_ms)`,
    )
  }
}

export interface OrderResult {
  /** Timeframes put back in order. */
  readonly timeframes: readonly string[]
  /** Bars rewritten to do it. */
  readonly bars: number
  /** `tail`: only each timeframe's rows from its mark on; `table`: the whole table, rebuilt in order. */
  readonly how: 'none' | 'tail' | 'table'
}

export interface OrderOptions {
  /**
   * Rebuild the whole table once the tails to rewrite hold more than this share of its rows. Deleting and
   * inserting rows again costs about ten times what copying them into a new table does (2.3 s against 0.2 s for the
   * 260,625 bars of the equity set), so past about a tenth of the table the rebuild is cheaper; a small tail (a late
   * bar, a corrected day) stays a small rewrite however large the store. Default 1/16.
   */
  readonly rebuildShare?: number
}

const REBUILD_SHARE = 1 / 16
const REORDER = 'bars_reorder'
const REBUILT = 'bars_rebuilt'

const count = async (conn: DuckDBConnection, where: string): Promise<number> =>
  Number((await conn.runAndReadAll(`SELECT count(*) FROM ${TABLES.bars} WHERE ${where}`)).getRows()[0]?.[0])

/**
 * Puts every timeframe marked out of order back in order, in one transaction per step (a failure leaves the marks
 * it did not clear, and those timeframes' streams keep sorting). Each tail (the rows from the mark on) is copied out
 * sorted, deleted and inserted again; or, when the tails are a large share of the table, the table is rebuilt
 * sorted by (timeframe, open_ms, instrument_key) under the same definition (a store made with schema 1 loses its
 * primary key there, as schema 2 has none) and renamed into place.
 */
export const orderBars = async (
  conn: DuckDBConnection,
  o: OrderOptions = {},
): Promise<E.Either<MarketStoreError, OrderResult>> => {
  try {
    const marks = (await conn.runAndReadAll(`SELECT timeframe, unordered_from_ms FROM ${TABLES.barsOrder} ORDER BY 1`))
      .getRows()
      .map(([tf, lo]) => ({
        tf: String(tf),
        tail: `timeframe = ${sqlString(String(tf))} AND open_ms >= ${Number(lo)}`,
      }))
    if (marks.length === 0) return E.right({ timeframes: [], bars: 0, how: 'none' })
    const timeframes = marks.map((m) => m.tf)
    let tails = 0
    for (const m of marks) tails += await count(conn, m.tail)
    const total = await count(conn, 'true')
    if (tails > (o.rebuildShare ?? REBUILD_SHARE) * total) {
      await inTransaction(conn, [
        `DROP TABLE IF EXISTS ${REBUILT}`,
        barsTableDdl(REBUILT),
        `INSERT INTO ${REBUILT} SELECT * FROM ${TABLES.bars} ORDER BY timeframe, open_ms, instrument_key`,
        `DROP TABLE ${TABLES.bars}`,
        `ALTER TABLE ${REBUILT} RENAME TO ${TABLES.bars}`,
        `DELETE FROM ${TABLES.barsOrder}`,
      ])
      return E.right({ timeframes, bars: total, how: 'table' })
    }
    for (const m of marks) {
      await inTransaction(conn, [
        `CREATE OR REPLACE TEMP TABLE ${REORDER} AS SELECT * FROM ${TABLES.bars} WHERE ${m.tail}
           ORDER BY open_ms, instrument_key`,
        `DELETE FROM ${TABLES.bars} WHERE ${m.tail}`,
        `INSERT INTO ${TABLES.bars} SELECT * FROM ${REORDER}`,
        `DELETE FROM ${TABLES.barsOrder} WHERE timeframe = ${sqlString(m.tf)}`,
        `DROP TABLE ${REORDER}`,
      ])
    }
    return E.right({ timeframes, bars: tails, how: 'tail' })
  } catch (e) {
    return E.left({ _tag: 'StoreWriteFailed', reason: `ordering bars: ${reasonOf(e)}` })
  }
}
