import type * as E from 'fp-ts/lib/Either.js'
import type { CoverageQuery, CoverageRow } from './coverage.js'
import type { MarketStoreError } from './marketStoreErrors.js'
import type { BarBatch, BarQuery } from './streamBars.js'

// What a backtest reads of the market: bars, column-wise and merged in time order, and what bars there are. The
// store (the DuckDB file) and the reader of its sealed Parquet days (marketReader.ts) both give it, with the same
// queries over a table of the same name and columns, so a backtest on bars does not care which it was given.

export interface MarketBarSource {
  /** Bars column-wise, one DuckDB chunk at a time, merged in time order (see streamBars.ts). */
  readonly streamBarBatches: (q: BarQuery) => Promise<E.Either<MarketStoreError, AsyncIterable<BarBatch>>>
  /** Per instrument and timeframe: first and last IST date, bar, day and flagged-bar counts (see coverage.ts). */
  readonly coverage: (q?: CoverageQuery) => Promise<E.Either<MarketStoreError, CoverageRow[]>>
  readonly close: () => void
}
