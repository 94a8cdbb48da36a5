import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import type { BarClosed, EventDraft, TickReceived } from '../../domain/events/index.js'
import { type CoverageQuery, coverage, type TickCoverageRow, tickCoverage } from './coverage.js'
import { tradingSymbols } from './instrumentSymbols.js'
import type { MarketBarSource } from './marketBarSource.js'
import { type MarketStoreError, reasonOf } from './marketStoreErrors.js'
import { CREATE_TABLES, TABLES } from './schema.js'
import { SEALED_INSTRUMENTS_FILE } from './sealParquet.js'
import { sqlString } from './sqlLiteral.js'
import { type BarQuery, streamBarBatches, streamBars } from './streamBars.js'
import { streamTicks, type TickQuery } from './streamTicks.js'

// The read path for every process but the market-data node. DuckDB lets one process hold the store's file and
// refuses every other process, even read-only ("Could not set lock on file"). So the writer seals finished days
// into hive-partitioned Parquet (sealParquet.ts), and a reader opens its own in-memory DuckDB with a view named like
// the store's bars table over those files: the same queries (streams merged in time order, resampling) run against
// it, see each newly sealed day on their next query, and never block the writer. Sealed ticks (a directory of their
// own) get a view named like the ticks table, so the store's tick stream and coverage run on them too. A reader
// with no sealed bars (or ticks) has an empty table in their place. The day still open is not sealed: it comes from
// the market-data node's journal and feed.

export interface MarketReader extends MarketBarSource {
  readonly streamBars: (q: BarQuery) => Promise<E.Either<MarketStoreError, AsyncIterable<EventDraft<BarClosed>[]>>>
  /** Sealed ticks merged in time order, as the store streams them (streamTicks.ts); none without `ticksDir`. */
  readonly streamTicks: (q: TickQuery) => Promise<E.Either<MarketStoreError, AsyncIterable<EventDraft<TickReceived>[]>>>
  /** Per instrument: first and last IST date, tick and day counts of the sealed ticks. */
  readonly tickCoverage: (q?: CoverageQuery) => Promise<E.Either<MarketStoreError, TickCoverageRow[]>>
  /** Trading symbol -> instrument key of the sealed instrument master, as the store gives them (instrumentSymbols.ts). */
  readonly tradingSymbols: () => Promise<E.Either<MarketStoreError, ReadonlyMap<string, string>>>
  /** Bars per (instrument, IST date) in the sealed files, for checks and coverage. */
  readonly barsPerDay: () => Promise<
    E.Either<MarketStoreError, { instrumentKey: string; date: string; bars: number }[]>
  >
}

/** Whether any Parquet file lies under `dir`: DuckDB refuses a view over a glob that matches none. */
const holdsParquet = (dir: string): boolean => {
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((f) => f.endsWith('.parquet'))
  } catch {
    // A partition renamed away by a re-seal in the middle of the walk: there are days, and DuckDB's glob will say.
    return true
  }
}

const tableDdl = (table: string): string => {
  const ddl = CREATE_TABLES.find((d) => d.includes(`CREATE TABLE IF NOT EXISTS ${table} (`))
  if (ddl === undefined) throw new Error(`no DDL for ${table}`)
  return ddl
}

export interface MarketReaderOptions {
  /** The sealed ticks' directory (sealParquet.ts); without it the reader has no ticks. */
  readonly ticksDir?: string
  /** The sealed instrument master's directory (`sealInstrumentsParquet`); without it the reader has none. */
  readonly instrumentsDir?: string
}

/** `sealedDir`: the sealed bars' directory, or undefined for a reader of ticks or instruments only. */
export const openMarketReader = async (
  sealedDir: string | undefined,
  o: MarketReaderOptions = {},
): Promise<E.Either<MarketStoreError, MarketReader>> => {
  const bars = sealedDir !== undefined && existsSync(sealedDir) && holdsParquet(sealedDir)
  const ticks = o.ticksDir !== undefined && existsSync(o.ticksDir) && holdsParquet(o.ticksDir)
  const instrumentsFile = o.instrumentsDir === undefined ? undefined : join(o.instrumentsDir, SEALED_INSTRUMENTS_FILE)
  const instruments = instrumentsFile !== undefined && existsSync(instrumentsFile)
  // Told apart from other failures: a backtest refused the store by a writer says "nothing is sealed yet" for these.
  if (!bars && !ticks && !instruments) {
    const dirs = [sealedDir, o.ticksDir, o.instrumentsDir].filter((d) => d !== undefined).join(' or ')
    return E.left({
      _tag: 'NothingSealed',
      path: dirs,
      reason: [sealedDir, o.ticksDir, o.instrumentsDir].some((d) => d !== undefined && existsSync(d))
        ? 'no day sealed there yet'
        : 'no sealed Parquet directory there yet',
    })
  }
  let instance: DuckDBInstance
  try {
    instance = await DuckDBInstance.create(':memory:')
    const conn = await instance.connect()
    if (bars) {
      await conn.run(
        `CREATE VIEW ${TABLES.bars} AS SELECT instrument_key, timeframe, open_ms, open_paise, high_paise, low_paise,
           close_paise, volume, oi, flags, date FROM read_parquet(${sqlString(`${sealedDir}/**/*.parquet`)}, hive_partitioning = true)`,
      )
    } else {
      await conn.run(tableDdl(TABLES.bars))
      await conn.run(`ALTER TABLE ${TABLES.bars} ADD COLUMN date DATE`)
    }
    if (ticks) {
      await conn.run(
        `CREATE VIEW ${TABLES.ticks} AS SELECT instrument_key, ltt_ms, seq, ltp_paise, ltq, volume, oi
           FROM read_parquet(${sqlString(`${o.ticksDir}/**/*.parquet`)}, hive_partitioning = true)`,
      )
    } else await conn.run(tableDdl(TABLES.ticks))
    if (instruments) {
      await conn.run(`CREATE VIEW ${TABLES.instruments} AS SELECT * FROM read_parquet(${sqlString(instrumentsFile!)})`)
    } else await conn.run(tableDdl(TABLES.instruments))
    conn.closeSync()
  } catch (e) {
    const dirs = [sealedDir, o.ticksDir, o.instrumentsDir].filter((d) => d !== undefined).join(', ')
    return E.left({ _tag: 'StoreOpenFailed', path: dirs, reason: reasonOf(e) })
  }
  const connect = async (): Promise<E.Either<MarketStoreError, DuckDBConnection>> => {
    try {
      return E.right(await instance.connect())
    } catch (e) {
      return E.left({ _tag: 'StoreQueryFailed', reason: reasonOf(e) })
    }
  }
  /** A query on a connection of its own, closed after it. */
  const using = async <A>(
    query: (c: DuckDBConnection) => Promise<E.Either<MarketStoreError, A>>,
  ): Promise<E.Either<MarketStoreError, A>> => {
    const c = await connect()
    if (E.isLeft(c)) return c
    try {
      return await query(c.right)
    } finally {
      c.right.closeSync()
    }
  }
  return E.right({
    streamBarBatches: async (q) => {
      const c = await connect()
      return E.isLeft(c) ? c : streamBarBatches(c.right, q, () => c.right.closeSync())
    },
    streamBars: async (q) => {
      const c = await connect()
      return E.isLeft(c) ? c : streamBars(c.right, q, () => c.right.closeSync())
    },
    streamTicks: async (q) => {
      const c = await connect()
      return E.isLeft(c) ? c : streamTicks(c.right, q, () => c.right.closeSync())
    },
    tradingSymbols: () => using(tradingSymbols),
    tickCoverage: (q) => using((c) => tickCoverage(c, q)),
    // The view has the bars table's columns, and coverage reads only that table.
    coverage: (q) => using((c) => coverage(c, q)),
    barsPerDay: () =>
      using(async (c) => {
        try {
          const r = await c.runAndReadAll(
            `SELECT instrument_key, date::VARCHAR, count(*) FROM ${TABLES.bars} GROUP BY 1, 2 ORDER BY 1, 2`,
          )
          return E.right(
            r.getRows().map(([k, d, n]) => ({ instrumentKey: String(k), date: String(d), bars: Number(n) })),
          )
        } catch (e) {
          return E.left({ _tag: 'StoreQueryFailed', reason: reasonOf(e) })
        }
      }),
    close: () => instance.closeSync(),
  })
}
