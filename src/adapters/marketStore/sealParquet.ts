import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import { DAY_MS, istMidnight } from '../../domain/time/index.js'
import { istDateSql } from './coverage.js'
import { type MarketStoreError, reasonOf } from './marketStoreErrors.js'
import { TABLES } from './schema.js'
import { sqlString } from './sqlLiteral.js'

// Sealing: finished days' bars copied out of the DuckDB file into Parquet, hive-partitioned as
// `<dir>/exchange=NSE/timeframe=1m/date=2025-01-02/data_0.parquet`, and ticks into a directory of their own as
// `<dir>/exchange=NSE/date=2025-01-02/data_0.parquet` (their columns differ, so one glob must not find both), which
// DuckDB, Polars and pandas read directly (and which another process can read while the writer holds the DuckDB
// file: see marketReader.ts). Only days strictly before `beforeDate` are sealed: the caller (who knows the clock) says
// which days are finished. Exchange = the instrument key's segment up to the first `_` (`NSE_EQ|…` -> `NSE`).
// Columns: the table's, prices in paise, times epoch ms.
//
// Sealing is incremental and never leaves a reader without a day (unless the store lost all of that day's rows: then
// its partition is removed too, so the sealed days keep mirroring the store). Each partition's rows are summed up as a count and
// a checksum (DuckDB's `hash` of every column, xor-ed), recorded in `<dir>/_seal-manifest.json` (a name Parquet
// readers skip). A partition whose summary and file are as recorded is left alone, so the market-data node that
// seals every evening rewrites only the day that finished (and any day an import changed), and readers of the other
// days are never touched. A partition is written as one file to a staging directory beside the sealed one (the same
// file system, outside the readers' glob), then swapped in by one rename: a new day's directory appears whole, and a
// changed day's `data_0.parquet` is replaced by the new file in one step, so a query sees the day's old rows or its
// new ones, never none, a half-written file or both (a query reading that very day as it is replaced may fail, and
// is retried). Only a partition left in another shape (by hand, or by the older layout that could split a day over
// several files) is replaced as a directory, with an instant in which it is absent.

export interface SealResult {
  /** Rows (bars or ticks) written by this seal, in partitions that were new or changed. */
  readonly rows: number
  /** Partitions written by this seal. */
  readonly partitions: number
  /** Partitions before `beforeDate` already sealed with the same rows, left as they were. */
  readonly unchanged: number
  /** Partitions sealed before whose rows are all gone from the store since (deleted), removed from the directory. */
  readonly removed: number
}

/** The sealed directory's record of what each partition holds, by its path under the directory. */
interface Manifest {
  readonly version: 1
  readonly partitions: Record<string, { readonly rows: number; readonly checksum: string }>
}

export const SEAL_MANIFEST = '_seal-manifest.json'
const FILE = 'data_0.parquet'

/** The manifest, or an empty one when it is missing or unreadable: then every partition is written again (safe). */
const readManifest = (dir: string): Manifest => {
  try {
    const m = JSON.parse(readFileSync(join(dir, SEAL_MANIFEST), 'utf8')) as Manifest
    return m.version === 1 && typeof m.partitions === 'object' && m.partitions !== null ? m : empty()
  } catch {
    return empty()
  }
}

const empty = (): Manifest => ({ version: 1, partitions: {} })

/** Written to a temporary name and renamed over the old one: a crash leaves the old manifest or the new one. */
const writeManifest = (dir: string, m: Manifest): void => {
  const tmp = join(dir, `${SEAL_MANIFEST}.tmp-${process.pid}`)
  writeFileSync(tmp, `${JSON.stringify(m, null, 1)}\n`)
  renameSync(tmp, join(dir, SEAL_MANIFEST))
}

/** Whether the partition directory holds exactly the one file a seal writes. */
const holdsOneFile = (path: string): boolean => {
  try {
    const files = readdirSync(path)
    return files.length === 1 && files[0] === FILE
  } catch {
    return false
  }
}

/** What is sealed of a table: its columns (all of them, in the files), its time column, and how a day is sorted. */
interface SealedTable {
  readonly table: string
  readonly columns: string
  readonly time: string
  readonly orderBy: string
  /** Whether the table's `timeframe` column is a partition level (bars), or there is none (ticks). */
  readonly byTimeframe: boolean
}

const BARS: SealedTable = {
  table: TABLES.bars,
  columns: 'instrument_key, open_ms, open_paise, high_paise, low_paise, close_paise, volume, oi, flags',
  time: 'open_ms',
  orderBy: 'open_ms, instrument_key',
  byTimeframe: true,
}

const TICKS: SealedTable = {
  table: TABLES.ticks,
  columns: 'instrument_key, ltt_ms, seq, ltp_paise, ltq, volume, oi',
  time: 'ltt_ms',
  orderBy: 'ltt_ms, instrument_key, seq',
  byTimeframe: false,
}

/** The bars of days before `beforeDate` into `<dir>/exchange=/timeframe=/date=`. */
export const sealParquet = (conn: DuckDBConnection, dir: string, beforeDate: string) =>
  sealTable(conn, BARS, dir, beforeDate)

/** The ticks of days before `beforeDate` into `<dir>/exchange=/date=`. */
export const sealTicksParquet = (conn: DuckDBConnection, dir: string, beforeDate: string) =>
  sealTable(conn, TICKS, dir, beforeDate)

const sealTable = async (
  conn: DuckDBConnection,
  t: SealedTable,
  dir: string,
  beforeDate: string,
): Promise<E.Either<MarketStoreError, SealResult>> => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(beforeDate)) {
    return E.left({ _tag: 'StoreQueryFailed', reason: `beforeDate "${beforeDate}" is not YYYY-MM-DD` })
  }
  const exchange = `split_part(instrument_key, '_', 1)`
  const timeframe = t.byTimeframe ? 'timeframe' : `''`
  try {
    const summaries = (
      await conn.runAndReadAll(
        `SELECT ${exchange} AS exchange, ${timeframe} AS tf, ${istDateSql(t.time)} AS date, count(*)::DOUBLE,
           bit_xor(hash(${t.columns}))::VARCHAR
         FROM ${t.table} WHERE ${istDateSql(t.time)} < ${sqlString(beforeDate)}
         GROUP BY ALL ORDER BY exchange, tf, date`,
      )
    )
      .getRows()
      .map(([ex, tf, date, rows, checksum]) => ({
        path: t.byTimeframe
          ? join(`exchange=${String(ex)}`, `timeframe=${String(tf)}`, `date=${String(date)}`)
          : join(`exchange=${String(ex)}`, `date=${String(date)}`),
        exchange: String(ex),
        timeframe: String(tf),
        date: String(date),
        rows: Number(rows),
        checksum: String(checksum),
      }))
    mkdirSync(dir, { recursive: true })
    const manifest = readManifest(dir)
    const partitions = { ...manifest.partitions }
    const todo = summaries.filter((p) => {
      const known = partitions[p.path]
      return known?.rows !== p.rows || known.checksum !== p.checksum || !holdsOneFile(join(dir, p.path))
    })
    // Days the manifest holds, before the date, of which the store now has no row: the sealed copy goes too.
    const present = new Set(summaries.map((p) => p.path))
    const gone = Object.keys(partitions).filter((path) => {
      const date = /date=(\d{4}-\d{2}-\d{2})$/.exec(path)?.[1]
      return date !== undefined && date < beforeDate && !present.has(path)
    })
    const staging = `${dir}.staging-${process.pid}-${Date.now()}`
    let rows = 0
    try {
      for (const path of gone) {
        // Renamed away first, so that a reader sees the day whole or not at all, then deleted.
        const old = `${staging}.gone`
        if (existsSync(join(dir, path))) renameSync(join(dir, path), old)
        rmSync(old, { recursive: true, force: true })
        delete partitions[path]
      }
      for (const p of todo) {
        const fromMs = istMidnight(p.date)
        if (fromMs === undefined) throw new Error(`bad partition date ${p.date}`)
        const stagedDir = join(staging, p.path)
        mkdirSync(stagedDir, { recursive: true })
        // One COPY per partition, to one file: a partitioned COPY may split a day over several files (by thread),
        // and only a single file can be replaced by one rename. The day's rows are found by their time range.
        await conn.run(
          `COPY (SELECT ${t.columns} FROM ${t.table}
             WHERE ${t.byTimeframe ? `timeframe = ${sqlString(p.timeframe)} AND ` : ''}${exchange} = ${sqlString(p.exchange)}
               AND ${t.time} >= ${fromMs} AND ${t.time} < ${fromMs + DAY_MS}
             ORDER BY ${t.orderBy})
           TO ${sqlString(join(stagedDir, FILE))} (FORMAT parquet)`,
        )
        const target = join(dir, p.path)
        if (holdsOneFile(target)) renameSync(join(stagedDir, FILE), join(target, FILE))
        else if (!existsSync(target)) {
          mkdirSync(join(target, '..'), { recursive: true })
          renameSync(stagedDir, target)
        } else {
          const old = `${staging}.old`
          rmSync(old, { recursive: true, force: true })
          renameSync(target, old)
          renameSync(stagedDir, target)
          rmSync(old, { recursive: true, force: true })
        }
        partitions[p.path] = { rows: p.rows, checksum: p.checksum }
        rows += p.rows
      }
    } finally {
      // What is sealed so far is recorded even when a later partition failed: the next seal goes on from there.
      if (todo.length > 0 || gone.length > 0) writeManifest(dir, { version: 1, partitions })
      rmSync(staging, { recursive: true, force: true })
    }
    return E.right({
      rows,
      partitions: todo.length,
      unchanged: summaries.length - todo.length,
      removed: gone.length,
    })
  } catch (e) {
    return E.left({ _tag: 'StoreWriteFailed', reason: `sealing to ${dir}: ${reasonOf(e)}` })
  }
}

/** The sealed instrument master's one file, in a directory of its own (see `sealInstrumentsParquet`). */
export const SEALED_INSTRUMENTS_FILE = 'instruments.parquet'

/**
 * The instruments table (an imported Upstox instrument master) into `<dir>/instruments.parquet`, for reader processes
 * that name instruments by trading symbol beside a writer. Written only when its rows changed since the last seal
 * (the manifest again), to a staging file renamed over the old one.
 */
export const sealInstrumentsParquet = async (
  conn: DuckDBConnection,
  dir: string,
): Promise<E.Either<MarketStoreError, SealResult>> => {
  const columns = `instrument_key, exchange, segment, trading_symbol, name, isin, lot_size, tick_size_paise,
    instrument_type, expiry_ms, strike_paise`
  try {
    const row = (
      await conn.runAndReadAll(
        `SELECT count(*)::DOUBLE, coalesce(bit_xor(hash(${columns})), 0)::VARCHAR FROM ${TABLES.instruments}`,
      )
    ).getRows()[0]
    const rows = Number(row?.[0] ?? 0)
    const checksum = String(row?.[1] ?? '0')
    mkdirSync(dir, { recursive: true })
    const manifest = readManifest(dir)
    const known = manifest.partitions[SEALED_INSTRUMENTS_FILE]
    const file = join(dir, SEALED_INSTRUMENTS_FILE)
    if (rows === 0 || (known?.rows === rows && known.checksum === checksum && existsSync(file)))
      return E.right({ rows: 0, partitions: 0, unchanged: rows === 0 ? 0 : 1, removed: 0 })
    const staging = join(dir, `.${SEALED_INSTRUMENTS_FILE}.staging-${process.pid}`)
    try {
      await conn.run(
        `COPY (SELECT ${columns} FROM ${TABLES.instruments} ORDER BY instrument_key) TO ${sqlString(staging)}
         (FORMAT parquet)`,
      )
      renameSync(staging, file)
    } finally {
      rmSync(staging, { force: true })
    }
    writeManifest(dir, {
      version: 1,
      partitions: { ...manifest.partitions, [SEALED_INSTRUMENTS_FILE]: { rows, checksum } },
    })
    return E.right({ rows, partitions: 1, unchanged: 0, removed: 0 })
  } catch (e) {
    return E.left({ _tag: 'StoreWriteFailed', reason: `sealing the instruments to ${dir}: ${reasonOf(e)}` })
  }
}
