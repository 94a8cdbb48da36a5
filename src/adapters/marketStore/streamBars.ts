import { type DuckDBConnection, type DuckDBResult, DuckDBTypeId } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import {
  type BarClosed,
  type BarColumns,
  barPayloadAt,
  type EventDraft,
  type Timeframe,
} from '../../domain/events/index.js'
import type { InstrumentKey } from '../../domain/ids/index.js'
import { MINUTE_MS } from '../../domain/time/index.js'
import { startColumnStream } from './columnStream.js'
import type { MarketStoreError } from './marketStoreErrors.js'
import { TABLES } from './schema.js'
import { sqlString } from './sqlLiteral.js'
import { barCloseMs, bucketSql } from './timeframes.js'
import { float64Column, int32Column } from './vectorItems.js'

// The event source for backtests: bars of one or many instruments over [fromMs, toMs) (by bar start), merged in
// time order (`open_ms`, then k, the instrument's position in the sorted key list, so ties at the same instant go by
// instrument key), read column-wise one DuckDB chunk at a time. `ts` of each bar is its close time (`barCloseMs`).
// Each column is the chunk's own typed array (see vectorItems.ts and `BAR_COLUMN_TYPES` below), not read value by
// value.
//
// Where the store keeps the timeframe's rows in stream order (barOrder.ts), the query is a plain scan: no ORDER BY,
// and the instruments chosen by `list_contains`, a filter, since an `IN` list of several keys becomes a join, which
// does not keep the table's order. The rows are checked as they are read, and a row out of order ends the stream
// with an error: bars already handed on cannot be taken back, and a backtest on misordered bars would be wrong.
// Elsewhere (resampled bars, an older store, the sealed Parquet days) DuckDB sorts.

export interface BarQuery {
  /** Instruments to read; empty means every instrument that has bars of the source timeframe. */
  readonly instrumentKeys: readonly string[]
  readonly timeframe: Timeframe
  /** Bar start, inclusive; default: from the beginning. */
  readonly fromMs?: number
  /** Bar start, exclusive; default: to the end. */
  readonly toMs?: number
  /**
   * `stored`: bars stored under `timeframe` (e.g. imported daily bars). `resample`: built from stored 1-minute bars,
   * session-aligned (see timeframes.ts). Default: `stored` for 1m, `resample` otherwise.
   */
  readonly source?: 'stored' | 'resample'
}

/** One chunk of bars, column-wise (the domain's `BarColumns`), with the store's flags; arrays are the consumer's. */
export interface BarBatch extends BarColumns {
  readonly flags: Int32Array
}

/** Where a query's bars come from: as `BarQuery.source` says, else stored for 1m and resampled otherwise. */
const sourceOf = (q: BarQuery): 'stored' | 'resample' => q.source ?? (q.timeframe === '1m' ? 'stored' : 'resample')

const selectSql = (q: BarQuery, keys: readonly string[], keptInOrder: boolean): string => {
  const source = sourceOf(q)
  const quoted = keys.map(sqlString).join(',')
  const keyList = `[${quoted}]`
  const range = [
    q.fromMs === undefined ? '' : ` AND open_ms >= ${Math.trunc(q.fromMs)}`,
    q.toMs === undefined ? '' : ` AND open_ms < ${Math.trunc(q.toMs)}`,
  ].join('')
  if (source === 'stored' && keptInOrder) {
    return `SELECT (list_position(${keyList}, instrument_key) - 1)::INTEGER AS k, open_ms::DOUBLE, open_paise::DOUBLE,
      high_paise::DOUBLE, low_paise::DOUBLE, close_paise::DOUBLE, volume::DOUBLE, oi::DOUBLE, flags::INTEGER
      FROM ${TABLES.bars} WHERE timeframe = ${sqlString(q.timeframe)} AND list_contains(${keyList}, instrument_key)${range}`
  }
  if (source === 'stored') {
    return `SELECT (list_position(${keyList}, instrument_key) - 1)::INTEGER AS k, open_ms::DOUBLE, open_paise::DOUBLE,
      high_paise::DOUBLE, low_paise::DOUBLE, close_paise::DOUBLE, volume::DOUBLE, oi::DOUBLE, flags::INTEGER
      FROM ${TABLES.bars} WHERE timeframe = ${sqlString(q.timeframe)} AND instrument_key IN (${quoted})${range}
      ORDER BY open_ms, k`
  }
  // The range applies to the 1-minute bars; whole buckets are the caller's business (pass bucket-aligned bounds).
  return `SELECT (list_position(${keyList}, instrument_key) - 1)::INTEGER AS k, b::DOUBLE,
      arg_min(open_paise, open_ms)::DOUBLE, max(high_paise)::DOUBLE, min(low_paise)::DOUBLE,
      arg_max(close_paise, open_ms)::DOUBLE, sum(volume)::DOUBLE, arg_max(oi, open_ms)::DOUBLE, bit_or(flags)::INTEGER
      FROM (SELECT *, ${bucketSql(q.timeframe)} AS b FROM ${TABLES.bars}
            WHERE timeframe = '1m' AND instrument_key IN (${quoted})${range})
      GROUP BY instrument_key, b ORDER BY b, k`
}

const keysWithBars = async (conn: DuckDBConnection, q: BarQuery): Promise<string[]> => {
  if (q.instrumentKeys.length > 0) return [...new Set(q.instrumentKeys)].sort()
  const tf = sourceOf(q) === 'stored' ? q.timeframe : '1m'
  const reader = await conn.runAndReadAll(
    `SELECT DISTINCT instrument_key FROM ${TABLES.bars} WHERE timeframe = ${sqlString(tf)} ORDER BY 1`,
  )
  return reader.getRows().map((r) => String(r[0]))
}

// Columns are selected as DOUBLE (times, prices, counts) or INTEGER (key index, flags), all NOT NULL, and read
// straight off each chunk through the low-level bindings (vectorItems.ts), after the result's column types are
// checked once. Each column is a copy already (the bindings are built with NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED, so
// no buffer points into DuckDB's memory) and is handed on as it is: nothing else holds the chunk.
const { DOUBLE, INTEGER } = DuckDBTypeId
const BAR_COLUMN_TYPES = [INTEGER, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, INTEGER] as const

const iso = (ms: number): string => new Date(ms).toISOString()

/** The first row of a chunk not after the one before it (in `(openMs, k)` order), or -1. */
const firstOutOfOrder = (openMs: Float64Array, k: Int32Array, prevMs: number, prevK: number): number => {
  let pm = prevMs
  let pk = prevK
  for (let i = 0; i < openMs.length; i++) {
    const m = openMs[i] as number
    const kk = k[i] as number
    if (m < pm || (m === pm && kk <= pk)) return i
    pm = m
    pk = kk
  }
  return -1
}

async function* readBatches(
  result: DuckDBResult,
  keys: readonly InstrumentKey[],
  tf: Timeframe,
  checkOrder: boolean,
): AsyncGenerator<BarBatch> {
  let prevMs = Number.NEGATIVE_INFINITY
  let prevK = -1
  for (;;) {
    const chunk = await result.fetchChunk()
    if (chunk === null || chunk.rowCount === 0) return
    const n = chunk.rowCount
    const openMs = float64Column(chunk, 1, n)
    const keyIndex = int32Column(chunk, 0, n)
    if (checkOrder) {
      const bad = firstOutOfOrder(openMs, keyIndex, prevMs, prevK)
      if (bad >= 0) {
        // An invariant of the store broken (barOrder.ts), not bad input: nothing a caller could do but stop.
        throw new Error(
          `stored bars out of time order: ${keys[keyIndex[bad] as number]} at ${iso(openMs[bad] as number)} after ` +
            `${keys[bad > 0 ? (keyIndex[bad - 1] as number) : prevK]} at ${iso(bad > 0 ? (openMs[bad - 1] as number) : prevMs)}`,
        )
      }
      prevMs = openMs[n - 1] as number
      prevK = keyIndex[n - 1] as number
    }
    const tsMs = new Float64Array(n)
    if (tf === '1m') for (let i = 0; i < n; i++) tsMs[i] = (openMs[i] as number) + MINUTE_MS
    else for (let i = 0; i < n; i++) tsMs[i] = barCloseMs(openMs[i] as number, tf)
    const batch: BarBatch = {
      length: n,
      keys,
      timeframe: tf,
      keyIndex,
      openMs,
      tsMs,
      openPaise: float64Column(chunk, 2, n),
      highPaise: float64Column(chunk, 3, n),
      lowPaise: float64Column(chunk, 4, n),
      closePaise: float64Column(chunk, 5, n),
      volume: float64Column(chunk, 6, n),
      oi: float64Column(chunk, 7, n),
      flags: int32Column(chunk, 8, n),
    }
    yield batch
  }
}

/**
 * Starts the query; a bad query is a `Left` here, before any bar is read. `done` runs when the stream ends (read to
 * the end, `return`ed early, or failed): the store gives each stream its own connection and closes it there, so
 * several streams and other queries can run side by side.
 */
export const streamBarBatches = (
  conn: DuckDBConnection,
  q: BarQuery,
  done: () => void = () => {},
  /** The table holds `q.timeframe`'s rows in stream order (barOrder.ts): scan them instead of sorting. */
  keptInOrder = false,
): Promise<E.Either<MarketStoreError, AsyncIterable<BarBatch>>> => {
  const scan = keptInOrder && sourceOf(q) === 'stored'
  return startColumnStream(
    conn,
    {
      keys: () => keysWithBars(conn, q),
      sql: (keys) => selectSql(q, keys, scan),
      types: BAR_COLUMN_TYPES,
      what: 'bar',
      read: (result, keys) => readBatches(result, keys, q.timeframe, scan),
    },
    done,
  )
}

/** The bars of one batch as `BarClosed` drafts (the journal's input events), in the batch's order. */
export const barDrafts = (b: BarBatch): EventDraft<BarClosed>[] => {
  const out = new Array<EventDraft<BarClosed>>(b.length)
  for (let i = 0; i < b.length; i++)
    out[i] = { type: 'BarClosed', ts: b.tsMs[i] as number, payload: barPayloadAt(b, i) }
  return out
}

/** Bars as batches of `BarClosed` drafts, merged in time order: the event source for a backtest. */
export const streamBars = async (
  conn: DuckDBConnection,
  q: BarQuery,
  done: () => void = () => {},
  keptInOrder = false,
): Promise<E.Either<MarketStoreError, AsyncIterable<EventDraft<BarClosed>[]>>> => {
  const started = await streamBarBatches(conn, q, done, keptInOrder)
  if (E.isLeft(started)) return started
  const source = started.right
  return E.right(
    (async function* () {
      for await (const b of source) yield barDrafts(b)
    })(),
  )
}
