import type { DuckDBConnection, DuckDBResult, DuckDBTypeId } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import { type InstrumentKey, unsafe } from '../../domain/ids/index.js'
import { type MarketStoreError, reasonOf } from './marketStoreErrors.js'
import { checkColumnTypes } from './vectorItems.js'

// How the store's streams (bars, ticks) start: the instruments the query covers, the query itself, and its column
// types checked once, since the chunks are then read by raw width (vectorItems.ts). A bad query is a `Left` before
// anything is read. `done` runs exactly once: when the stream ends (read to the end, `return`ed early, or failed),
// or here when it never starts. The store gives each stream its own connection and closes it in `done`.

export interface ColumnStreamSpec<T> {
  /** The sorted instrument keys the query covers; none means an empty stream. */
  readonly keys: () => Promise<readonly string[]>
  readonly sql: (keys: readonly string[]) => string
  readonly types: readonly DuckDBTypeId[]
  /** What the rows are, for the error text ("bar", "tick"). */
  readonly what: string
  /** The chunks of a started result; `keys[k]` is the key of index `k` in the query's key column. */
  readonly read: (result: DuckDBResult, keys: readonly InstrumentKey[]) => AsyncIterable<T>
}

async function* finishing<T>(source: AsyncIterable<T>, done: () => void): AsyncGenerator<T> {
  try {
    yield* source
  } finally {
    done()
  }
}

async function* nothing<T>(): AsyncGenerator<T> {}

export const startColumnStream = async <T>(
  conn: DuckDBConnection,
  spec: ColumnStreamSpec<T>,
  done: () => void,
): Promise<E.Either<MarketStoreError, AsyncIterable<T>>> => {
  try {
    const keys = await spec.keys()
    if (keys.length === 0) {
      done()
      return E.right(nothing<T>())
    }
    const result = await conn.stream(spec.sql(keys))
    const mismatch = checkColumnTypes(result, spec.types)
    if (mismatch !== undefined) {
      done()
      return E.left({ _tag: 'StoreQueryFailed', reason: `${spec.what} query returned unexpected columns: ${mismatch}` })
    }
    return E.right(finishing(spec.read(result, keys.map(unsafe.instrumentKey)), done))
  } catch (e) {
    done()
    return E.left({ _tag: 'StoreQueryFailed', reason: reasonOf(e) })
  }
}
