import {
  BIGINT,
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBType,
  type DuckDBVector,
  INTEGER,
  VARCHAR,
} from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import type { BarRow, InstrumentRow, MarketBatch, TickRow, WriteResult } from './marketRows.js'
import { type MarketStoreError, reasonOf } from './marketStoreErrors.js'
import { STAGE_BARS, STAGE_INSTRUMENTS, STAGE_TICKS, TABLES } from './schema.js'

// One file's rows go in as one transaction, so a failure leaves the store exactly as it was. The rows are appended
// column-wise (DuckDB data chunks through the appender, the bulk path) into TEMP staging tables, then moved with
// `INSERT OR IGNORE … SELECT` inside the transaction: the first row stored under a key wins (see schema.ts).

const CHUNK = 2048

type Col<R> = (r: R) => string | number | bigint | null

const appendRows = async <R>(
  conn: DuckDBConnection,
  table: string,
  types: readonly DuckDBType[],
  cols: readonly Col<R>[],
  rows: readonly R[],
): Promise<void> => {
  if (rows.length === 0) return
  const appender = await conn.createAppender(table)
  try {
    const buffers = cols.map(() => new Array<string | number | bigint | null>(CHUNK))
    for (let start = 0; start < rows.length; start += CHUNK) {
      const n = Math.min(CHUNK, rows.length - start)
      const chunk = DuckDBDataChunk.create(types as DuckDBType[], n)
      for (let c = 0; c < cols.length; c++) {
        const col = cols[c] as Col<R>
        const buf = buffers[c] as (string | number | bigint | null)[]
        buf.length = n
        for (let i = 0; i < n; i++) buf[i] = col(rows[start + i] as R)
        chunk.setColumnValues(c, buf)
      }
      appender.appendDataChunk(chunk)
    }
  } finally {
    appender.closeSync()
  }
}

const big = (n: number): bigint => BigInt(n)
const bigOrNull = (n: number | null): bigint | null => (n === null ? null : BigInt(n))

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`

/**
 * Appends bars column by column straight into DuckDB vectors (no per-value conversion objects): instrument key and
 * timeframe as indexes into small lists, everything else as DOUBLE (exact for integers below 2^53).
 */
const appendBars = async (
  conn: DuckDBConnection,
  rows: readonly BarRow[],
): Promise<{ keys: string[]; tfs: string[] }> => {
  const keyIndex = new Map<string, number>()
  const tfIndex = new Map<string, number>()
  if (rows.length === 0) return { keys: [], tfs: [] }
  const appender = await conn.createAppender(STAGE_BARS)
  try {
    for (let start = 0; start < rows.length; start += CHUNK) {
      const n = Math.min(CHUNK, rows.length - start)
      const chunk = DuckDBDataChunk.create(STAGE_BAR_TYPES, n)
      const v = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((c) => chunk.getColumnVector(c)) as DuckDBVector<number>[]
      const [vk, vt, vo, vop, vh, vl, vc, vv, voi, vf] = v as [
        DuckDBVector<number>,
        DuckDBVector<number>,
        DuckDBVector<number>,
        DuckDBVector<number>,
        DuckDBVector<number>,
        DuckDBVector<number>,
        DuckDBVector<number>,
        DuckDBVector<number>,
        DuckDBVector<number>,
        DuckDBVector<number>,
      ]
      for (let i = 0; i < n; i++) {
        const r = rows[start + i] as BarRow
        let k = keyIndex.get(r.instrumentKey)
        if (k === undefined) {
          k = keyIndex.size + 1
          keyIndex.set(r.instrumentKey, k)
        }
        let t = tfIndex.get(r.timeframe)
        if (t === undefined) {
          t = tfIndex.size + 1
          tfIndex.set(r.timeframe, t)
        }
        vk.setItem(i, k)
        vt.setItem(i, t)
        vo.setItem(i, r.openMs)
        vop.setItem(i, r.openPaise)
        vh.setItem(i, r.highPaise)
        vl.setItem(i, r.lowPaise)
        vc.setItem(i, r.closePaise)
        vv.setItem(i, r.volume)
        voi.setItem(i, r.oi)
        vf.setItem(i, r.flags)
      }
      for (const vec of v) vec.flush()
      appender.appendDataChunk(chunk)
    }
  } finally {
    appender.closeSync()
  }
  return { keys: [...keyIndex.keys()], tfs: [...tfIndex.keys()] }
}

const STAGE_BAR_TYPES = [INTEGER, INTEGER, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, INTEGER]

const INSTRUMENT_TYPES = [
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  INTEGER,
  INTEGER,
  VARCHAR,
  BIGINT,
  BIGINT,
]
const INSTRUMENT_COLS: readonly Col<InstrumentRow>[] = [
  (r) => r.instrumentKey,
  (r) => r.exchange,
  (r) => r.segment,
  (r) => r.tradingSymbol,
  (r) => r.name,
  (r) => r.isin,
  (r) => r.lotSize,
  (r) => r.tickSizePaise,
  (r) => r.instrumentType,
  (r) => bigOrNull(r.expiryMs),
  (r) => bigOrNull(r.strikePaise),
]

const TICK_TYPES = [VARCHAR, BIGINT, INTEGER, BIGINT, BIGINT, BIGINT, BIGINT]
const TICK_COLS: readonly Col<TickRow>[] = [
  (r) => r.instrumentKey,
  (r) => big(r.lttMs),
  (r) => r.seq,
  (r) => big(r.ltpPaise),
  (r) => big(r.ltq),
  (r) => bigOrNull(r.volume),
  (r) => bigOrNull(r.oi),
]

const scalar = async (conn: DuckDBConnection, sql: string): Promise<number> => {
  const reader = await conn.runAndReadAll(sql)
  const v = reader.getRows()[0]?.[0]
  return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : 0
}

const INSTRUMENT_VALUES = [
  'exchange',
  'segment',
  'trading_symbol',
  'name',
  'isin',
  'lot_size',
  'tick_size_paise',
  'instrument_type',
  'expiry_ms',
  'strike_paise',
]
const BAR_VALUES = ['open_paise', 'high_paise', 'low_paise', 'close_paise', 'volume', 'oi', 'flags']

/** Writes one file's rows atomically. Rows with the same key inside one batch must already be deduplicated. */
export const writeBatch = async (
  conn: DuckDBConnection,
  batch: MarketBatch,
): Promise<E.Either<MarketStoreError, WriteResult>> => {
  const bars = batch.bars ?? []
  const instruments = batch.instruments ?? []
  const ticks = batch.ticks ?? []
  let staged: { keys: string[]; tfs: string[] }
  try {
    await conn.run(`DELETE FROM ${STAGE_BARS}; DELETE FROM ${STAGE_INSTRUMENTS}; DELETE FROM ${STAGE_TICKS}`)
    staged = await appendBars(conn, bars)
    await appendRows(conn, STAGE_INSTRUMENTS, INSTRUMENT_TYPES, INSTRUMENT_COLS, instruments)
    await appendRows(conn, STAGE_TICKS, TICK_TYPES, TICK_COLS, ticks)
  } catch (e) {
    return E.left({ _tag: 'StoreWriteFailed', reason: `staging: ${reasonOf(e)}` })
  }
  let minMs = Number.POSITIVE_INFINITY
  let maxMs = Number.NEGATIVE_INFINITY
  for (const b of bars) {
    if (b.openMs < minMs) minMs = b.openMs
    if (b.openMs > maxMs) maxMs = b.openMs
  }
  // The staged rows with their real key columns; the stored side is cut to the batch's time range so DuckDB's
  // zone maps skip the rest of the table.
  const stagedBars = `(SELECT list_extract([${staged.keys.map(quote).join(',')}], kid) AS instrument_key,
      list_extract([${staged.tfs.map(quote).join(',')}], tf) AS timeframe, open_ms::BIGINT AS open_ms,
      open_paise::BIGINT AS open_paise, high_paise::BIGINT AS high_paise, low_paise::BIGINT AS low_paise,
      close_paise::BIGINT AS close_paise, volume::BIGINT AS volume, oi::BIGINT AS oi, flags FROM ${STAGE_BARS})`
  const storedBars = `(SELECT * FROM ${TABLES.bars} WHERE open_ms BETWEEN ${minMs} AND ${maxMs})`
  try {
    await conn.run('BEGIN TRANSACTION')
    const barsInserted =
      bars.length === 0
        ? 0
        : (
            await conn.run(
              `INSERT INTO ${TABLES.bars} SELECT s.* FROM ${stagedBars} s
               ANTI JOIN ${storedBars} b USING (instrument_key, timeframe, open_ms)`,
            )
          ).rowsChanged
    // Rows that were already there: identical (a re-import) or conflicting (kept out, counted).
    const barsConflicting =
      barsInserted === bars.length
        ? 0
        : await scalar(
            conn,
            `SELECT count(*) FROM ${stagedBars} s JOIN ${storedBars} b USING (instrument_key, timeframe, open_ms)
             WHERE ${BAR_VALUES.map((c) => `s.${c} <> b.${c}`).join(' OR ')}`,
          )
    const instrumentsConflicting =
      instruments.length === 0
        ? 0
        : await scalar(
            conn,
            `SELECT count(*) FROM ${STAGE_INSTRUMENTS} s JOIN ${TABLES.instruments} i USING (instrument_key)
             WHERE ${INSTRUMENT_VALUES.map((c) => `s.${c} IS DISTINCT FROM i.${c}`).join(' OR ')}`,
          )
    const instrumentsInserted =
      instruments.length === 0
        ? 0
        : (await conn.run(`INSERT OR IGNORE INTO ${TABLES.instruments} SELECT * FROM ${STAGE_INSTRUMENTS}`)).rowsChanged
    const ticksInserted =
      ticks.length === 0
        ? 0
        : (await conn.run(`INSERT OR IGNORE INTO ${TABLES.ticks} SELECT * FROM ${STAGE_TICKS}`)).rowsChanged
    await conn.run('COMMIT')
    return E.right({
      barsInserted,
      barsUnchanged: bars.length - barsInserted - barsConflicting,
      barsConflicting,
      instrumentsInserted,
      instrumentsConflicting,
      ticksInserted,
    })
  } catch (e) {
    try {
      await conn.run('ROLLBACK')
    } catch {
      // The transaction may already be aborted; the store is unchanged either way.
    }
    return E.left({ _tag: 'StoreWriteFailed', reason: reasonOf(e) })
  }
}
