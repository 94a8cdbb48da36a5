import { type DuckDBDataChunk, type DuckDBResult, DuckDBTypeId, type DuckDBVector } from '@duckdb/node-api'
import duckdb from '@duckdb/node-bindings'

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

// Reading a whole result column by column, the library's vector objects cost more than the data: each
// `getColumnVector` makes several native calls (the vector, its type, its data, its validity mask) and a wrapper,
// ~12 us a column of 2,048 rows, which was a fifth of a backtest's store stream. The low-level bindings (the
// package @duckdb/node-api is built on) give a column's data in two calls. They read exactly the bytes they are
// told to, so a wrong width would read past the vector: callers check the result's column types first
// (`checkColumnTypes`), and read only NOT NULL columns (no validity mask is consulted).

/** The chunk's column `c` as `n` DOUBLEs (a copy: the bindings copy a vector's data out of DuckDB). */
export const float64Column = (chunk: DuckDBDataChunk, c: number, n: number): Float64Array => {
  const bytes = duckdb.vector_get_data(duckdb.data_chunk_get_vector(chunk.chunk, c), n * Float64Array.BYTES_PER_ELEMENT)
  return new Float64Array(bytes.buffer, bytes.byteOffset, n)
}

/** The chunk's column `c` as `n` INTEGERs (a copy). */
export const int32Column = (chunk: DuckDBDataChunk, c: number, n: number): Int32Array => {
  const bytes = duckdb.vector_get_data(duckdb.data_chunk_get_vector(chunk.chunk, c), n * Int32Array.BYTES_PER_ELEMENT)
  return new Int32Array(bytes.buffer, bytes.byteOffset, n)
}

/** Undefined when the result's columns have exactly these types, else what differs (a programmer error upstream). */
export const checkColumnTypes = (result: DuckDBResult, types: readonly DuckDBTypeId[]): string | undefined => {
  if (result.columnCount !== types.length) return `expected ${types.length} columns, got ${result.columnCount}`
  for (let c = 0; c < types.length; c++) {
    const got = result.columnTypeId(c)
    if (got !== types[c])
      return `column ${c} (${result.columnName(c)}): expected ${DuckDBTypeId[types[c]!]}, got ${DuckDBTypeId[got]}`
  }
  return undefined
}
