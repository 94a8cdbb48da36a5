// Failures of the store come back as values. DuckDB throws; `tryStore` at the edge turns that into this union.

export type MarketStoreError =
  | { readonly _tag: 'StoreOpenFailed'; readonly path: string; readonly reason: string }
  /**
   * The store file is held by another process for writing (DuckDB's lock refusal). A tag of its own, not an open
   * failure among others: a backtest then reads the sealed days instead, and must not for any other failure.
   */
  | { readonly _tag: 'StoreLocked'; readonly path: string; readonly reason: string }
  /** A sealed Parquet directory with no day in it, or none at all (see marketReader.ts). */
  | { readonly _tag: 'NothingSealed'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'StoreWriteFailed'; readonly reason: string }
  | { readonly _tag: 'StoreQueryFailed'; readonly reason: string }

export const describeMarketStoreError = (e: MarketStoreError): string => {
  switch (e._tag) {
    case 'StoreOpenFailed':
      return `cannot open market store ${e.path}: ${e.reason}`
    case 'StoreLocked':
      // DuckDB lets one process write a file and refuses every other process meanwhile, readers included.
      return (
        `cannot open market store ${e.path}: another process holds it for writing (an import, or the market-data ` +
        `node); run this again when it is done, or read the sealed days (bahi data seal; docs/market-data.md, ` +
        `"One writer, many readers"). DuckDB: ${e.reason}`
      )
    case 'NothingSealed':
      return `nothing sealed at ${e.path}: ${e.reason}`
    case 'StoreWriteFailed':
      return `market store write failed (nothing was written): ${e.reason}`
    case 'StoreQueryFailed':
      return `market store query failed: ${e.reason}`
  }
}

export const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** Whether DuckDB refused to open a file because another process holds its lock (its words: "Could not set lock"). */
export const isLockRefusal = (reason: string): boolean => reason.includes('Could not set lock')
