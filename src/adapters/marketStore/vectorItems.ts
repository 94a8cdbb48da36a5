import type { DuckDBVector } from '@duckdb/node-api'

// The typed array behind a numeric DuckDB vector, for bulk reads and writes. @duckdb/node-api keeps it in a private
// `items` field and offers only per-value `getItem`/`setItem` (duckdb/duckdb-node-neo#361 asks for a public
// accessor); going through them costs one call and one validity update per value, which is most of the time spent
// moving bars in and out. The field is checked at run time (its class and length), so a library change that
// renames or retypes it falls back to the per-value path instead of reading garbage.

const itemsOf = (v: DuckDBVector): unknown => Reflect.get(v, 'items')

/** The vector's Float64Array (a DOUBLE vector), if it can be reached and holds at least `n` items. */
export const float64Items = (v: DuckDBVector, n: number): Float64Array | undefined => {
  const items = itemsOf(v)
  return items instanceof Float64Array && items.length >= n ? items : undefined
}

/** The vector's Int32Array (an INTEGER vector), if it can be reached and holds at least `n` items. */
export const int32Items = (v: DuckDBVector, n: number): Int32Array | undefined => {
  const items = itemsOf(v)
  return items instanceof Int32Array && items.length >= n ? items : undefined
}
