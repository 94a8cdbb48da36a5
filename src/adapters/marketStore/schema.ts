// The market store's tables, in one place. Prices are integer paise, times epoch milliseconds (UTC instants; IST is
// only how they are read), bars are labelled by their start. Every table has a key, and every write inserts only
// keys not stored yet, as an anti-join against the stored rows: the first row stored under a key wins, so
// re-importing the same rows changes nothing, and a row that differs from the stored one under the same key is kept
// out and counted as a conflict (never overwritten silently). To correct stored data, delete the range first
// (`deleteBars`), then import again.
//
// `bars` and `ticks` declare no PRIMARY KEY: DuckDB would maintain an ART index on every insert, which cost about
// two thirds of the bulk import's write step, while the anti-join already keeps keys unique and `writeBatch`
// refuses a batch that holds a key twice (tests: marketStore.int.spec.ts, "keys stay unique without a primary
// key"). Stores created before this (schema 1) keep their primary key; the same writes work on both.
export const TABLES = {
  instruments: 'instruments',
  bars: 'bars',
  ticks: 'ticks',
  /** Timeframes whose bars are out of stream order, and from when (see barOrder.ts); absent in older stores. */
  barsOrder: 'bars_order',
} as const

/** Bit flags on a stored bar: why an importer kept a row that looked wrong (policy `flag`). */
export const BAR_FLAGS = {
  /** low > min(open, close), high < max(open, close) or low > high. */
  ohlcViolation: 1,
  /** The file had more than one row for this timestamp; the first was kept. */
  duplicateTimestamp: 2,
  /** A price is not a multiple of the instrument's tick. */
  offTick: 4,
  /** The bar lies outside the regular session (pre-open, post-close, or a closed day). */
  outsideSession: 8,
} as const

export type BarFlagName = keyof typeof BAR_FLAGS

export const flagNames = (flags: number): BarFlagName[] =>
  (Object.keys(BAR_FLAGS) as BarFlagName[]).filter((k) => (flags & BAR_FLAGS[k]) !== 0)

/** 2: `bars` and `ticks` without a PRIMARY KEY (uniqueness kept by the writes). */
export const SCHEMA_VERSION = 2

/** The bars table's definition under a name (barOrder.ts rebuilds the table under another, then renames it). */
export const barsTableDdl = (name: string): string =>
  `CREATE TABLE IF NOT EXISTS ${name} (
    instrument_key VARCHAR NOT NULL,
    timeframe VARCHAR NOT NULL,
    open_ms BIGINT NOT NULL,
    open_paise BIGINT NOT NULL,
    high_paise BIGINT NOT NULL,
    low_paise BIGINT NOT NULL,
    close_paise BIGINT NOT NULL,
    volume BIGINT NOT NULL,
    oi BIGINT NOT NULL,
    flags INTEGER NOT NULL
  )`

export const CREATE_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ${TABLES.instruments} (
    instrument_key VARCHAR PRIMARY KEY,
    exchange VARCHAR NOT NULL,
    segment VARCHAR NOT NULL,
    trading_symbol VARCHAR NOT NULL,
    name VARCHAR,
    isin VARCHAR,
    lot_size INTEGER,
    tick_size_paise INTEGER,
    instrument_type VARCHAR,
    expiry_ms BIGINT,
    strike_paise BIGINT
  )`,
  barsTableDdl(TABLES.bars),
  `CREATE TABLE IF NOT EXISTS ${TABLES.ticks} (
    instrument_key VARCHAR NOT NULL,
    ltt_ms BIGINT NOT NULL,
    seq INTEGER NOT NULL,
    ltp_paise BIGINT NOT NULL,
    ltq BIGINT NOT NULL,
    volume BIGINT,
    oi BIGINT
  )`,
]

/** The key columns of the tables the writes keep unique. */
export const BAR_KEY = ['instrument_key', 'timeframe', 'open_ms'] as const
export const TICK_KEY = ['instrument_key', 'ltt_ms', 'seq'] as const

/** Staging tables (TEMP, per connection): the appender fills them, one `INSERT … SELECT … ANTI JOIN` moves them. */
export const STAGE_BARS = 'stage_bars'
/** The compact form of `stage_bars`, used whenever the batch fits it (see writeBatch.ts, `stageBars`). */
export const STAGE_BARS_NARROW = 'stage_bars_narrow'
export const STAGE_INSTRUMENTS = 'stage_instruments'
export const STAGE_TICKS = 'stage_ticks'

export const CREATE_STAGING: readonly string[] = [
  // Staged as numbers only (an instrument index, a timeframe index, DOUBLEs that hold integers exactly below 2^53):
  // strings and BigInts are what make appending slow, so the casts happen inside DuckDB.
  `CREATE TEMP TABLE IF NOT EXISTS ${STAGE_BARS} (kid INTEGER, tf INTEGER, open_ms DOUBLE, open_paise DOUBLE,
    high_paise DOUBLE, low_paise DOUBLE, close_paise DOUBLE, volume DOUBLE, oi DOUBLE, flags INTEGER)`,
  // The same bars in 40 bytes a row instead of 68, when they fit: instrument index, timeframe index and flags packed
  // in one INTEGER (`kid << 8 | tf << 4 | flags`), prices and oi as INTEGERs. The appender's cost follows the bytes.
  `CREATE TEMP TABLE IF NOT EXISTS ${STAGE_BARS_NARROW} (ktf INTEGER, open_ms DOUBLE, open_paise INTEGER,
    high_paise INTEGER, low_paise INTEGER, close_paise INTEGER, volume DOUBLE, oi INTEGER)`,
  `CREATE TEMP TABLE IF NOT EXISTS ${STAGE_INSTRUMENTS} AS SELECT * FROM ${TABLES.instruments} LIMIT 0`,
  `CREATE TEMP TABLE IF NOT EXISTS ${STAGE_TICKS} (kid INTEGER, ltt_ms DOUBLE, seq INTEGER, ltp_paise DOUBLE,
    ltq DOUBLE, volume DOUBLE, oi DOUBLE)`,
]
