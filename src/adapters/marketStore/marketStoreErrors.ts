// Failures of the store come back as values. DuckDB throws; `tryStore` at the edge turns that into this union.

export type MarketStoreError =
  | { readonly _tag: 'StoreOpenFailed'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'StoreWriteFailed'; readonly reason: string }
  | { readonly _tag: 'StoreQueryFailed'; readonly reason: string }

export const describeMarketStoreError = (e: MarketStoreError): string => {
  switch (e._tag) {
    case 'StoreOpenFailed':
      return `cannot open market store ${e.path}: ${e.reason}`
    case 'StoreWriteFailed':
      return `market store write failed (nothing was written): ${e.reason}`
    case 'StoreQueryFailed':
      return `market store query failed: ${e.reason}`
  }
}

export const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))
