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
import { TIMEFRAME_MS } from '../../domain/events/index.js'
import { type BatchStarts, disorderedBy, markDisordered } from './barOrder.js'
import type { BarRow, InstrumentRow, MarketBatch, TickRow, WriteResult } from './marketRows.js'
import { type MarketStoreError, reasonOf } from './marketStoreErrors.js'
import { BAR_KEY, STAGE_BARS, STAGE_BARS_NARROW, STAGE_INSTRUMENTS, STAGE_TICKS, TABLES, TICK_KEY } from './schema.js'
import { sqlString } from './sqlLiteral.js'
import { float64Items, int32Items } from './vectorItems.js'

// One batch (one file, or a group of whole files) goes in as one transaction, so a failure leaves the store exactly
// as it was. Bars and ticks are appended column-wise into TEMP staging tables as plain numbers (DuckDB data chunks
// through the appender, written straight into the vectors' typed arrays), then moved by one set-based
// `INSERT … SELECT … ANTI JOIN` each: a key already stored is never written again (first write wins, see schema.ts),
// and the rows it held back are compared with the stored ones to count conflicts.

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

/** A numeric staging column: how to read it off a row; `null` only where the staging column is nullable. */
type NumCol<R> = (r: R) => number | null

/** Writes `n` values into a vector: straight into its typed array when reachable, else value by value. */
const fillVector = <R>(v: DuckDBVector, rows: readonly R[], start: number, n: number, col: NumCol<R>): void => {
  const items = float64Items(v, n) ?? int32Items(v, n)
  if (items !== undefined) {
    let nulls = false
    for (let i = 0; i < n; i++) {
      const x = col(rows[start + i] as R)
      if (x === null) nulls = true
      else items[i] = x
    }
    v.flush()
    if (!nulls) return
  }
  // Fallback, and the nulls: `setItem` keeps the validity mask.
  for (let i = 0; i < n; i++) {
    const x = col(rows[start + i] as R)
    if (items === undefined || x === null) v.setItem(i, x)
  }
  v.flush()
}

const appendNumbers = async <R>(
  conn: DuckDBConnection,
  table: string,
  types: DuckDBType[],
  cols: readonly NumCol<R>[],
  rows: readonly R[],
): Promise<void> => {
  if (rows.length === 0) return
  const appender = await conn.createAppender(table)
  try {
    for (let start = 0; start < rows.length; start += CHUNK) {
      const n = Math.min(CHUNK, rows.length - start)
      const chunk = DuckDBDataChunk.create(types, n)
      for (let c = 0; c < cols.length; c++) fillVector(chunk.getColumnVector(c), rows, start, n, cols[c] as NumCol<R>)
      appender.appendDataChunk(chunk)
    }
  } finally {
    appender.closeSync()
  }
}

/** How a batch's bars are staged: the compact table when every value fits it, else the wide one. */
interface BarStage {
  readonly table: string
  /** The staged key (instrument, timeframe, start) for the duplicate check. */
  readonly key: string
  /** The staged rows as the `bars` table's columns. */
  readonly select: (keys: string, timeframes: string) => string
}

const WIDE: BarStage = {
  table: STAGE_BARS,
  key: 'kid, tf, open_ms',
  select: (keys, timeframes) => `SELECT list_extract(${keys}, kid) AS instrument_key,
    list_extract(${timeframes}, tf) AS timeframe, open_ms::BIGINT AS open_ms,
    open_paise::BIGINT AS open_paise, high_paise::BIGINT AS high_paise, low_paise::BIGINT AS low_paise,
    close_paise::BIGINT AS close_paise, volume::BIGINT AS volume, oi::BIGINT AS oi, flags FROM ${STAGE_BARS}`,
}

const NARROW: BarStage = {
  table: STAGE_BARS_NARROW,
  key: 'ktf >> 4, open_ms',
  select: (keys, timeframes) => `SELECT list_extract(${keys}, ktf >> 8) AS instrument_key,
    list_extract(${timeframes}, (ktf >> 4) & 15) AS timeframe, open_ms::BIGINT AS open_ms,
    open_paise::BIGINT AS open_paise, high_paise::BIGINT AS high_paise, low_paise::BIGINT AS low_paise,
    close_paise::BIGINT AS close_paise, volume::BIGINT AS volume, oi::BIGINT AS oi, (ktf & 15) AS flags
    FROM ${STAGE_BARS_NARROW}`,
}

const INT32_MAX = 0x7fffffff
/** `ktf` packs the instrument index above 8 bits: this many instruments fit a batch. */
const NARROW_MAX_KEYS = INT32_MAX >> 8

/** True when every bar fits the narrow stage: prices and oi in an INTEGER, flags in 4 bits. */
const fitsNarrow = (bars: readonly BarRow[]): boolean => {
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i] as BarRow
    if (b.highPaise > INT32_MAX || b.openPaise > INT32_MAX || b.lowPaise > INT32_MAX || b.closePaise > INT32_MAX) {
      return false
    }
    if (b.oi > INT32_MAX || b.flags > 15 || b.flags < 0) return false
  }
  return true
}

const STAGE_BAR_TYPES = [INTEGER, INTEGER, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, INTEGER]
const NARROW_BAR_TYPES = [INTEGER, DOUBLE, INTEGER, INTEGER, INTEGER, INTEGER, DOUBLE, INTEGER]

type Items = Float64Array | Int32Array

/** Each vector's typed array, or undefined when the library hides one (then the slow path writes value by value). */
const vectorArrays = (chunk: DuckDBDataChunk, types: readonly DuckDBType[], n: number): Items[] | undefined => {
  const out: Items[] = []
  for (let c = 0; c < types.length; c++) {
    const v = chunk.getColumnVector(c)
    const items = types[c] === DOUBLE ? float64Items(v, n) : int32Items(v, n)
    if (items === undefined) return undefined
    out.push(items)
  }
  return out
}

/**
 * Appends the bars to a staging table, written straight into each chunk's vectors in one monomorphic pass over the
 * rows (no intermediate column arrays: building them and copying them in was ~50 ms of the equity set). Returns the
 * stage used. Keys and timeframes are looked up when they change, not per row (a file's rows share them).
 */
const stageBars = async (
  conn: DuckDBConnection,
  bars: readonly BarRow[],
  keys: Indexer,
  timeframes: Indexer,
): Promise<BarStage> => {
  const narrow = fitsNarrow(bars)
  const stage = narrow ? NARROW : WIDE
  if (bars.length === 0) return stage
  const types = narrow ? NARROW_BAR_TYPES : STAGE_BAR_TYPES
  const appender = await conn.createAppender(stage.table)
  let lastKey = ''
  let lastKid = 0
  let lastTf = ''
  let lastTfId = 0
  try {
    for (let start = 0; start < bars.length; start += CHUNK) {
      const n = Math.min(CHUNK, bars.length - start)
      const chunk = DuckDBDataChunk.create(types, n)
      const items = vectorArrays(chunk, types, n)
      const cols: Items[] = items ?? types.map((t) => (t === DOUBLE ? new Float64Array(n) : new Int32Array(n)))
      for (let i = 0; i < n; i++) {
        const b = bars[start + i] as BarRow
        if (b.instrumentKey !== lastKey || lastKid === 0) {
          lastKey = b.instrumentKey
          lastKid = keys.of(lastKey)
          if (narrow && lastKid > NARROW_MAX_KEYS)
            throw new Error(`more than ${NARROW_MAX_KEYS} instruments in a batch`)
        }
        if (b.timeframe !== lastTf || lastTfId === 0) {
          lastTf = b.timeframe
          lastTfId = timeframes.of(lastTf)
        }
        if (narrow) {
          ;(cols[0] as Int32Array)[i] = (lastKid << 8) | (lastTfId << 4) | b.flags
          ;(cols[1] as Float64Array)[i] = b.openMs
          ;(cols[2] as Int32Array)[i] = b.openPaise
          ;(cols[3] as Int32Array)[i] = b.highPaise
          ;(cols[4] as Int32Array)[i] = b.lowPaise
          ;(cols[5] as Int32Array)[i] = b.closePaise
          ;(cols[6] as Float64Array)[i] = b.volume
          ;(cols[7] as Int32Array)[i] = b.oi
        } else {
          ;(cols[0] as Int32Array)[i] = lastKid
          ;(cols[1] as Int32Array)[i] = lastTfId
          ;(cols[2] as Float64Array)[i] = b.openMs
          ;(cols[3] as Float64Array)[i] = b.openPaise
          ;(cols[4] as Float64Array)[i] = b.highPaise
          ;(cols[5] as Float64Array)[i] = b.lowPaise
          ;(cols[6] as Float64Array)[i] = b.closePaise
          ;(cols[7] as Float64Array)[i] = b.volume
          ;(cols[8] as Float64Array)[i] = b.oi
          ;(cols[9] as Int32Array)[i] = b.flags
        }
      }
      for (let c = 0; c < types.length; c++) {
        const v = chunk.getColumnVector(c)
        if (items === undefined) for (let i = 0; i < n; i++) v.setItem(i, (cols[c] as Items)[i] as number)
        v.flush()
      }
      appender.appendDataChunk(chunk)
    }
  } finally {
    appender.closeSync()
  }
  return stage
}

/** Small lists staged as indexes (1-based, for `list_extract`): instrument keys, timeframes. */
interface Indexer {
  readonly of: (s: string) => number
  readonly list: () => string
}

const indexer = (): Indexer => {
  const index = new Map<string, number>()
  return {
    of: (s: string): number => {
      let k = index.get(s)
      if (k === undefined) {
        k = index.size + 1
        index.set(s, k)
      }
      return k
    },
    list: (): string => `[${[...index.keys()].map(sqlString).join(',')}]`,
  }
}

const bigOrNull = (n: number | null): bigint | null => (n === null ? null : BigInt(n))

const STAGE_TICK_TYPES = [INTEGER, DOUBLE, INTEGER, DOUBLE, DOUBLE, DOUBLE, DOUBLE]

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

/** How staged rows of one keyed table become real rows: the SELECT that casts them, the key and value columns. */
interface KeyedMove {
  readonly table: string
  readonly stage: string
  /** Staged key columns, for the duplicate check. */
  readonly stagedKey: string
  /** The staged rows as the table's columns. */
  readonly select: string
  readonly key: readonly string[]
  readonly values: readonly string[]
  /**
   * The stored rows that could hold the batch's keys: each series' time range (see `seriesFilter`), so zone maps
   * skip the rest of the table.
   */
  readonly storedFilter: string
  readonly rows: number
  /** False when the rows are known to hold each key once (see `BarSeries.distinct`). */
  readonly mayRepeat: boolean
  /** The order the rows are inserted in (bars: stream order, see barOrder.ts). */
  readonly orderBy?: string
}

/** Inside the open transaction: inserts the staged rows whose key is not stored; returns [inserted, conflicting]. */
const moveKeyed = async (conn: DuckDBConnection, m: KeyedMove): Promise<[number, number]> => {
  if (m.rows === 0) return [0, 0]
  // Without a primary key nothing else would stop one batch from storing a key twice.
  if (m.mayRepeat) {
    const repeated = await scalar(
      conn,
      `SELECT count(*) FROM (SELECT 1 FROM ${m.stage} GROUP BY ${m.stagedKey} HAVING count(*) > 1)`,
    )
    if (repeated > 0) throw new Error(`the batch holds ${repeated} key(s) of ${m.table} more than once`)
  }
  const staged = `(${m.select})`
  const stored = `(SELECT * FROM ${m.table} WHERE ${m.storedFilter})`
  const order = m.orderBy === undefined ? '' : ` ORDER BY ${m.orderBy}`
  // Nothing stored where the batch goes (a first import): a plain insert, no join, nothing to compare.
  if ((await scalar(conn, `SELECT count(*) FROM ${stored}`)) === 0) {
    return [(await conn.run(`INSERT INTO ${m.table} SELECT * FROM ${staged}${order}`)).rowsChanged, 0]
  }
  const inserted = (
    await conn.run(
      `INSERT INTO ${m.table} SELECT s.* FROM ${staged} s ANTI JOIN ${stored} b USING (${m.key.join(', ')})${order}`,
    )
  ).rowsChanged
  const conflicting =
    inserted === m.rows
      ? 0
      : await scalar(
          conn,
          `SELECT count(*) FROM ${staged} s JOIN ${stored} b USING (${m.key.join(', ')})
           WHERE ${m.values.map((c) => `s.${c} IS DISTINCT FROM b.${c}`).join(' OR ')}`,
        )
  return [inserted, conflicting]
}

/** One series' time range in a batch: its key column values (instrument, and timeframe for bars), lowest, highest. */
interface SeriesRange {
  readonly values: readonly string[]
  lo: number
  hi: number
}

/** Per series, the time range of the rows (ticks; bars get theirs from `barSeries`). */
const seriesRanges = <R>(
  rows: readonly R[],
  series: (r: R) => readonly string[],
  sameSeries: (a: R, b: R) => boolean,
  time: (r: R) => number,
): SeriesRange[] => {
  const ranges = new Map<string, SeriesRange>()
  let last: SeriesRange | undefined
  let prev: R | undefined
  for (const r of rows) {
    if (prev === undefined || !sameSeries(prev, r)) {
      const values = series(r)
      const id = values.join('\u0000')
      last = ranges.get(id)
      if (last === undefined) {
        last = { values, lo: Number.POSITIVE_INFINITY, hi: Number.NEGATIVE_INFINITY }
        ranges.set(id, last)
      }
    }
    prev = r
    const t = time(r)
    const cur = last as SeriesRange
    if (t < cur.lo) cur.lo = t
    if (t > cur.hi) cur.hi = t
  }
  return [...ranges.values()]
}

/** More than any gap inside one session (09:15-15:30), less than the night between two sessions. */
const RUN_STEP_MS = 6 * 60 * 60 * 1000

/**
 * The largest step inside one run of bars: `RUN_STEP_MS`, or 4 bar lengths for daily bars, so a daily file stays one
 * run across weekends and most holidays (a run per bar would make the sort cost more than the SQL check it saves).
 */
const barRunStep = (b: BarRow): number => Math.max(RUN_STEP_MS, 4 * TIMEFRAME_MS[b.timeframe])

interface BarSeriesRuns extends SeriesRange {
  /** `[lo, hi]` of each run, flat. */
  readonly runs: number[]
}

/** True when the runs of one series, sorted by start, each end before the next begins. */
const runsDisjoint = (runs: readonly number[]): boolean => {
  const n = runs.length / 2
  if (n < 2) return true
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (runs[2 * a] as number) - (runs[2 * b] as number))
  for (let i = 1; i < n; i++) {
    if ((runs[2 * (order[i] as number)] as number) <= (runs[2 * (order[i - 1] as number) + 1] as number)) return false
  }
  return true
}

/** Each timeframe's earliest start among the series' ranges (a bar series' values are its key and timeframe). */
const batchStarts = (ranges: readonly SeriesRange[]): BatchStarts => {
  const starts = new Map<string, number>()
  for (const r of ranges) {
    const tf = r.values[1] as string
    starts.set(tf, Math.min(starts.get(tf) ?? Number.POSITIVE_INFINITY, r.lo))
  }
  return starts
}

/** What one pass over a batch's bars tells the write: each series' time range, and whether no key can repeat. */
export interface BarSeries {
  readonly ranges: readonly SeriesRange[]
  /**
   * True when no key can repeat: each series' rows split into runs of strictly increasing times, and the runs of
   * one series cover disjoint time ranges (false sends the batch through the SQL duplicate check). A run also ends
   * where the time jumps by more than `barRunStep` (between two days' files): files of a group need not come in
   * time order (the equity set's `DD-MM-YYYY.csv` names sort day first, so Jan 1, Apr 1, Jul 1 come before Jan 2),
   * and a run carried on across such files would span Jan 1 .. Jul 1 and overlap Jan 2's. The answer stays exact
   * whatever the step: a run holds each of its times once and lies inside its range, so disjoint ranges mean no
   * repeat; a shorter step only makes more runs. Costs one comparison per row and a sort of the runs.
   */
  readonly distinct: boolean
}

/**
 * One monomorphic loop over the bars (the generic per-row callbacks cost 10-25 ms per 260k rows, twice): a series'
 * record is looked up when the series changes, not per row.
 */
export const barSeries = (bars: readonly BarRow[]): BarSeries => {
  const bySeries = new Map<string, BarSeriesRuns>()
  let cur: BarSeriesRuns | undefined
  let prev: BarRow | undefined
  let lo = 0
  let hi = 0
  let step = 0
  const close = (r: BarSeriesRuns) => {
    r.runs.push(lo, hi)
    if (lo < r.lo) r.lo = lo
    if (hi > r.hi) r.hi = hi
  }
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i] as BarRow
    const t = b.openMs
    if (prev !== undefined && b.instrumentKey === prev.instrumentKey && b.timeframe === prev.timeframe) {
      if (t > hi && t - hi <= step) {
        hi = t
        prev = b
        continue
      }
      close(cur as BarSeriesRuns)
    } else {
      if (cur !== undefined) close(cur)
      const id = `${b.instrumentKey} ${b.timeframe}`
      cur = bySeries.get(id)
      if (cur === undefined) {
        cur = {
          values: [b.instrumentKey, b.timeframe],
          lo: Number.POSITIVE_INFINITY,
          hi: Number.NEGATIVE_INFINITY,
          runs: [],
        }
        bySeries.set(id, cur)
      }
      step = barRunStep(b)
    }
    lo = t
    hi = t
    prev = b
  }
  if (cur !== undefined) close(cur)
  const ranges = [...bySeries.values()]
  return { ranges, distinct: ranges.every((r) => runsDisjoint(r.runs)) }
}

/** Above this many series, the stored side is cut by the batch's overall range instead of one range each. */
const MAX_SERIES_RANGES = 64

/**
 * SQL selecting the stored rows in the batch's series and time ranges: one `(columns = values AND time BETWEEN …)`
 * per series (instrument, and timeframe for bars), or for many series their lists and the overall range.
 */
const seriesFilter = (all: readonly SeriesRange[], cols: readonly string[], timeCol: string): string => {
  if (all.length === 0) return 'false'
  if (all.length <= MAX_SERIES_RANGES) {
    return all
      .map(
        (x) =>
          `(${cols.map((c, k) => `${c} = ${sqlString(x.values[k] as string)}`).join(' AND ')} AND ${timeCol} BETWEEN ${x.lo} AND ${x.hi})`,
      )
      .join(' OR ')
  }
  const lo = Math.min(...all.map((x) => x.lo))
  const hi = Math.max(...all.map((x) => x.hi))
  const lists = cols.map(
    (c, k) => `list_contains([${[...new Set(all.map((x) => x.values[k] as string))].map(sqlString).join(',')}], ${c})`,
  )
  return `${lists.join(' AND ')} AND ${timeCol} BETWEEN ${lo} AND ${hi}`
}

/** Writes one batch atomically: all of it, or (on any failure) none of it. */
export const writeBatch = async (
  conn: DuckDBConnection,
  batch: MarketBatch,
): Promise<E.Either<MarketStoreError, WriteResult>> => {
  const bars = batch.bars ?? []
  const instruments = batch.instruments ?? []
  const ticks = batch.ticks ?? []
  const barKeys = indexer()
  const timeframes = indexer()
  const tickKeys = indexer()
  let barStage = WIDE
  try {
    await conn.run(
      `DELETE FROM ${STAGE_BARS}; DELETE FROM ${STAGE_BARS_NARROW}; DELETE FROM ${STAGE_INSTRUMENTS}; DELETE FROM ${STAGE_TICKS}`,
    )
    barStage = await stageBars(conn, bars, barKeys, timeframes)
    await appendNumbers<TickRow>(
      conn,
      STAGE_TICKS,
      STAGE_TICK_TYPES,
      [
        (r) => tickKeys.of(r.instrumentKey),
        (r) => r.lttMs,
        (r) => r.seq,
        (r) => r.ltpPaise,
        (r) => r.ltq,
        (r) => r.volume,
        (r) => r.oi,
      ],
      ticks,
    )
    await appendRows(conn, STAGE_INSTRUMENTS, INSTRUMENT_TYPES, INSTRUMENT_COLS, instruments)
  } catch (e) {
    return E.left({ _tag: 'StoreWriteFailed', reason: `staging: ${reasonOf(e)}` })
  }
  try {
    await conn.run('BEGIN TRANSACTION')
    const barRuns = barSeries(bars)
    const disorder = await disorderedBy(conn, batchStarts(barRuns.ranges))
    const [barsInserted, barsConflicting] = await moveKeyed(conn, {
      table: TABLES.bars,
      stage: barStage.table,
      stagedKey: barStage.key,
      select: barStage.select(barKeys.list(), timeframes.list()),
      key: BAR_KEY,
      values: ['open_paise', 'high_paise', 'low_paise', 'close_paise', 'volume', 'oi', 'flags'],
      storedFilter: seriesFilter(barRuns.ranges, ['instrument_key', 'timeframe'], 'open_ms'),
      rows: bars.length,
      mayRepeat: !barRuns.distinct,
      orderBy: 'open_ms, instrument_key',
    })
    if (barsInserted > 0) await markDisordered(conn, disorder)
    const [ticksInserted, ticksConflicting] = await moveKeyed(conn, {
      table: TABLES.ticks,
      stage: STAGE_TICKS,
      stagedKey: 'kid, ltt_ms, seq',
      select: `SELECT list_extract(${tickKeys.list()}, kid) AS instrument_key, ltt_ms::BIGINT AS ltt_ms, seq,
        ltp_paise::BIGINT AS ltp_paise, ltq::BIGINT AS ltq, volume::BIGINT AS volume, oi::BIGINT AS oi
        FROM ${STAGE_TICKS}`,
      key: TICK_KEY,
      values: ['ltp_paise', 'ltq', 'volume', 'oi'],
      storedFilter: seriesFilter(
        seriesRanges(
          ticks,
          (t) => [t.instrumentKey],
          (a, b) => a.instrumentKey === b.instrumentKey,
          (t) => t.lttMs,
        ),
        ['instrument_key'],
        'ltt_ms',
      ),
      rows: ticks.length,
      // Several ticks share a time (seq tells them apart), so only the SQL check can say.
      mayRepeat: true,
    })
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
    await conn.run('COMMIT')
    return E.right({
      barsInserted,
      barsUnchanged: bars.length - barsInserted - barsConflicting,
      barsConflicting,
      instrumentsInserted,
      instrumentsConflicting,
      ticksInserted,
      ticksUnchanged: ticks.length - ticksInserted - ticksConflicting,
      ticksConflicting,
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
