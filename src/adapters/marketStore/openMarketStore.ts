import { existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { TradingCalendar } from '../../domain/calendar/index.js'
import type { BarClosed, EventDraft, TickReceived, Timeframe } from '../../domain/events/index.js'
import { adoptBarOrder, barsInStreamOrder, type OrderOptions, type OrderResult, orderBars } from './barOrder.js'
import { type CoverageQuery, coverage, type TickCoverageRow, tickCoverage } from './coverage.js'
import { type GapOptions, gaps, type InstrumentGaps } from './gaps.js'
import { instrumentSymbols, tradingSymbols } from './instrumentSymbols.js'
import { instrumentTickSizes } from './instrumentTickSizes.js'
import type { MarketBarSource } from './marketBarSource.js'
import type { MarketBatch, WriteResult } from './marketRows.js'
import { isLockRefusal, type MarketStoreError, reasonOf } from './marketStoreErrors.js'
import { CREATE_STAGING, CREATE_TABLES, TABLES } from './schema.js'
import { type SealResult, sealInstrumentsParquet, sealParquet, sealTicksParquet } from './sealParquet.js'
import { type BarQuery, streamBarBatches, streamBars } from './streamBars.js'
import { streamTicks, type TickQuery } from './streamTicks.js'
import { writeBatch } from './writeBatch.js'

// The market store: one DuckDB file (by convention `<home>/market/market.duckdb`), opened read-write by one
// process (DuckDB locks the file). The composition root opens it and passes it on; nothing here is a singleton.

export interface MarketStore extends MarketBarSource {
  readonly path: string
  /** Writes one file's rows in one transaction (all or nothing); re-writing the same rows changes nothing. */
  readonly write: (batch: MarketBatch) => Promise<E.Either<MarketStoreError, WriteResult>>
  readonly streamBars: (q: BarQuery) => Promise<E.Either<MarketStoreError, AsyncIterable<EventDraft<BarClosed>[]>>>
  /** Stored ticks merged in exchange-time order, as `TickReceived` drafts (see streamTicks.ts). */
  readonly streamTicks: (q: TickQuery) => Promise<E.Either<MarketStoreError, AsyncIterable<EventDraft<TickReceived>[]>>>
  readonly tickCoverage: (q?: CoverageQuery) => Promise<E.Either<MarketStoreError, TickCoverageRow[]>>
  readonly gaps: (calendar: TradingCalendar, opts?: GapOptions) => Promise<E.Either<MarketStoreError, InstrumentGaps[]>>
  /** Trading symbol -> instrument key of the stored NSE cash and index instruments (see instrumentSymbols.ts). */
  readonly instrumentSymbols: () => Promise<E.Either<MarketStoreError, ReadonlyMap<string, string>>>
  /** Trading symbol -> instrument key over every stored segment, NSE cash first (see instrumentSymbols.ts). */
  readonly tradingSymbols: () => Promise<E.Either<MarketStoreError, ReadonlyMap<string, string>>>
  /** Instrument key -> tick size in paise of the stored instruments that have one (see instrumentTickSizes.ts). */
  readonly instrumentTickSizes: () => Promise<E.Either<MarketStoreError, ReadonlyMap<string, number>>>
  /**
   * Puts the bars of every timeframe that writes left out of stream order back in order (see barOrder.ts), so their
   * streams scan instead of sorting. `bahi import` calls it when its last file is written.
   */
  readonly orderBars: (o?: OrderOptions) => Promise<E.Either<MarketStoreError, OrderResult>>
  /** Row counts per table, for checks and reports. */
  readonly counts: () => Promise<E.Either<MarketStoreError, { bars: number; instruments: number; ticks: number }>>
  /** Deletes bars of one instrument and timeframe with start in [fromMs, toMs); returns how many. */
  readonly deleteBars: (
    instrumentKey: string,
    timeframe: Timeframe,
    fromMs: number,
    toMs: number,
  ) => Promise<E.Either<MarketStoreError, number>>
  /** Copies the bars of days before `beforeDate` (IST) into hive-partitioned Parquet under `dir` (see sealParquet.ts). */
  readonly sealParquet: (dir: string, beforeDate: string) => Promise<E.Either<MarketStoreError, SealResult>>
  /** The same for ticks, into a directory of their own (`<dir>/exchange=/date=`, see sealParquet.ts). */
  readonly sealTicksParquet: (dir: string, beforeDate: string) => Promise<E.Either<MarketStoreError, SealResult>>
  /** The instruments table into `<dir>/instruments.parquet` when it changed (see sealParquet.ts). */
  readonly sealInstrumentsParquet: (dir: string) => Promise<E.Either<MarketStoreError, SealResult>>
}

const countsOf =
  (conn: DuckDBConnection) =>
  async (): Promise<E.Either<MarketStoreError, { bars: number; instruments: number; ticks: number }>> => {
    try {
      const r = await conn.runAndReadAll(
        `SELECT (SELECT count(*) FROM ${TABLES.bars}), (SELECT count(*) FROM ${TABLES.instruments}),
           (SELECT count(*) FROM ${TABLES.ticks})`,
      )
      const row = r.getRows()[0] ?? []
      return E.right({ bars: Number(row[0]), instruments: Number(row[1]), ticks: Number(row[2]) })
    } catch (e) {
      return E.left({ _tag: 'StoreQueryFailed', reason: reasonOf(e) })
    }
  }

const deleteBarsOf =
  (conn: DuckDBConnection) =>
  async (key: string, tf: Timeframe, fromMs: number, toMs: number): Promise<E.Either<MarketStoreError, number>> => {
    try {
      const r = await conn.run(
        `DELETE FROM ${TABLES.bars} WHERE instrument_key = $1 AND timeframe = $2 AND open_ms >= $3 AND open_ms < $4`,
        [key, tf, BigInt(Math.trunc(fromMs)), BigInt(Math.trunc(toMs))],
      )
      return E.right(r.rowsChanged)
    } catch (e) {
      return E.left({ _tag: 'StoreWriteFailed', reason: reasonOf(e) })
    }
  }

/** A connection of its own for one stream (a DuckDB streaming result is invalidated by the next query on its connection). */
const connectFor = async (instance: DuckDBInstance): Promise<E.Either<MarketStoreError, DuckDBConnection>> => {
  try {
    return E.right(await instance.connect())
  } catch (e) {
    return E.left({ _tag: 'StoreQueryFailed', reason: reasonOf(e) })
  }
}

// DuckDB's default, stated: inserts keep their order and scans return it, which the bars' stream order rests on
// (barOrder.ts). Without it a scan could reorder rows, and a stream would stop at the first (streamBars.ts).
const KEEP_ORDER = { preserve_insertion_order: 'true' } as const

/**
 * A stream's own connection, and whether the bars it reads are stored in stream order (barOrder.ts). The connection
 * opens a transaction first, so the layout read here and the rows the stream reads are one snapshot: a write that
 * commits in between (in a writer process that streams) cannot turn a scan's rows out of order under it. Closing the
 * connection when the stream ends rolls it back.
 */
const ownedOrdered = async (
  instance: DuckDBInstance,
  q: BarQuery,
): Promise<E.Either<MarketStoreError, { conn: DuckDBConnection; keptInOrder: boolean }>> => {
  const own = await connectFor(instance)
  if (E.isLeft(own)) return own
  try {
    await own.right.run('BEGIN TRANSACTION')
    return E.right({ conn: own.right, keptInOrder: await barsInStreamOrder(own.right, q.timeframe) })
  } catch (e) {
    own.right.closeSync()
    return E.left({ _tag: 'StoreQueryFailed', reason: reasonOf(e) })
  }
}

export interface OpenMarketStoreOptions {
  /**
   * Open an existing store for reading only (DuckDB's READ_ONLY access): any number of processes may, as long as no
   * process holds it for writing; writes through it fail. For the commands that only read (backtests, sweeps,
   * `bahi data coverage|gaps`), so that several run side by side.
   */
  readonly readOnly?: boolean
}

/** Opens the store at `path`: read-write (creating it if needed), or read-only (it must exist). */
export const openMarketStore = async (
  path: string,
  log: Logger,
  o: OpenMarketStoreOptions = {},
): Promise<E.Either<MarketStoreError, MarketStore>> => {
  let instance: DuckDBInstance
  let conn: DuckDBConnection
  try {
    if (o.readOnly === true) {
      if (!existsSync(path)) return E.left({ _tag: 'StoreOpenFailed', path, reason: 'no market store there' })
      instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY', ...KEEP_ORDER })
      conn = await instance.connect()
    } else {
      mkdirSync(dirname(path), { recursive: true })
      instance = await DuckDBInstance.create(path, KEEP_ORDER)
      conn = await instance.connect()
      for (const ddl of CREATE_TABLES) await conn.run(ddl)
      for (const ddl of CREATE_STAGING) await conn.run(ddl)
      await adoptBarOrder(conn)
    }
  } catch (e) {
    const reason = reasonOf(e)
    return E.left({ _tag: isLockRefusal(reason) ? 'StoreLocked' : 'StoreOpenFailed', path, reason })
  }
  if (o.readOnly !== true) {
    // A store an older version wrote, or a write whose `orderBars` never ran: put its bars in order once, now.
    const ordered = await orderBars(conn)
    if (E.isLeft(ordered)) log.warn({ path, reason: ordered.left.reason }, 'bars left out of stream order')
    else if (ordered.right.bars > 0) log.info({ path, ...ordered.right }, 'bars put in stream order')
  }
  log.debug({ path, readOnly: o.readOnly === true }, 'market store opened')
  return E.right({
    path,
    write: (batch) => writeBatch(conn, batch),
    streamBarBatches: async (q) => {
      const own = await ownedOrdered(instance, q)
      return E.isLeft(own)
        ? own
        : streamBarBatches(own.right.conn, q, () => own.right.conn.closeSync(), own.right.keptInOrder)
    },
    streamBars: async (q) => {
      const own = await ownedOrdered(instance, q)
      return E.isLeft(own)
        ? own
        : streamBars(own.right.conn, q, () => own.right.conn.closeSync(), own.right.keptInOrder)
    },
    streamTicks: async (q) => {
      const own = await connectFor(instance)
      return E.isLeft(own) ? own : streamTicks(own.right, q, () => own.right.closeSync())
    },
    coverage: (q) => coverage(conn, q),
    tickCoverage: (q) => tickCoverage(conn, q),
    gaps: (calendar, opts) => gaps(conn, calendar, opts),
    instrumentSymbols: () => instrumentSymbols(conn),
    tradingSymbols: () => tradingSymbols(conn),
    instrumentTickSizes: () => instrumentTickSizes(conn),
    orderBars: (o) => orderBars(conn, o),
    counts: countsOf(conn),
    deleteBars: deleteBarsOf(conn),
    sealParquet: (dir, beforeDate) => sealParquet(conn, dir, beforeDate),
    sealTicksParquet: (dir, beforeDate) => sealTicksParquet(conn, dir, beforeDate),
    sealInstrumentsParquet: (dir) => sealInstrumentsParquet(conn, dir),
    close: () => {
      conn.closeSync()
      instance.closeSync()
      log.debug({ path }, 'market store closed')
    },
  })
}
