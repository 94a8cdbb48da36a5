import { type DuckDBConnection, type DuckDBResult, DuckDBTypeId } from '@duckdb/node-api'
import type * as E from 'fp-ts/lib/Either.js'
import type { EventDraft, TickReceived } from '../../domain/events/index.js'
import type { InstrumentKey } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import { startColumnStream } from './columnStream.js'
import type { MarketStoreError } from './marketStoreErrors.js'
import { TABLES } from './schema.js'
import { sqlString } from './sqlLiteral.js'
import { float64Column, int32Column } from './vectorItems.js'

// Stored ticks read back: the ticks of one or many instruments over [fromMs, toMs) of exchange time, merged in time
// order by DuckDB (`ORDER BY ltt_ms, instrument, seq`: ties at the same millisecond go by instrument key, then in
// the order the source gave them), as `TickReceived` drafts in chunks of one DuckDB chunk each. A draft's `ts` is
// the exchange's last-trade time: the store keeps no arrival time, so a replay of stored ticks runs on exchange time
// (as bars are built on it). The store keeps price, quantity, cumulative volume and open interest; a tick without
// volume or open interest in its source has none here either.

export interface TickQuery {
  /** Instruments to read; empty means every instrument that has ticks. */
  readonly instrumentKeys: readonly string[]
  /** Last-trade time, inclusive; default: from the beginning. */
  readonly fromMs?: number
  /** Last-trade time, exclusive; default: to the end. */
  readonly toMs?: number
}

/** Stands for a NULL volume or open interest in the selected columns (both are never negative when present). */
const ABSENT = -1

const selectSql = (q: TickQuery, keys: readonly string[]): string => {
  const quoted = keys.map(sqlString).join(',')
  const range = [
    q.fromMs === undefined ? '' : ` AND ltt_ms >= ${Math.trunc(q.fromMs)}`,
    q.toMs === undefined ? '' : ` AND ltt_ms < ${Math.trunc(q.toMs)}`,
  ].join('')
  return `SELECT (list_position([${quoted}], instrument_key) - 1)::INTEGER AS k, ltt_ms::DOUBLE, ltp_paise::DOUBLE,
      ltq::DOUBLE, coalesce(volume, ${ABSENT})::DOUBLE, coalesce(oi, ${ABSENT})::DOUBLE
      FROM ${TABLES.ticks} WHERE instrument_key IN (${quoted})${range}
      ORDER BY ltt_ms, k, seq`
}

const keysWithTicks = async (conn: DuckDBConnection, q: TickQuery): Promise<string[]> => {
  if (q.instrumentKeys.length > 0) return [...new Set(q.instrumentKeys)].sort()
  const reader = await conn.runAndReadAll(`SELECT DISTINCT instrument_key FROM ${TABLES.ticks} ORDER BY 1`)
  return reader.getRows().map((r) => String(r[0]))
}

// Read as streamBars.ts reads bars: NOT NULL columns of checked types, straight off each chunk.
const { DOUBLE, INTEGER } = DuckDBTypeId
const TICK_COLUMN_TYPES = [INTEGER, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE] as const

async function* tickChunks(
  result: DuckDBResult,
  keys: readonly InstrumentKey[],
): AsyncGenerator<EventDraft<TickReceived>[]> {
  for (;;) {
    const chunk = await result.fetchChunk()
    if (chunk === null || chunk.rowCount === 0) return
    const n = chunk.rowCount
    const k = int32Column(chunk, 0, n)
    const ltt = float64Column(chunk, 1, n)
    const ltp = float64Column(chunk, 2, n)
    const ltq = float64Column(chunk, 3, n)
    const volume = float64Column(chunk, 4, n)
    const oi = float64Column(chunk, 5, n)
    const out = new Array<EventDraft<TickReceived>>(n)
    for (let i = 0; i < n; i++) {
      const lttMs = ltt[i] as number
      const payload: TickReceived['payload'] = {
        instrumentKey: keys[k[i] as number] as InstrumentKey,
        ltpPaise: unsafeMoney.price(ltp[i] as number),
        lttMs,
        ltq: ltq[i] as number,
      }
      if (volume[i] !== ABSENT) payload.volume = volume[i] as number
      if (oi[i] !== ABSENT) payload.oi = oi[i] as number
      out[i] = { type: 'TickReceived', ts: lttMs, payload }
    }
    yield out
  }
}

/** Starts the query (see columnStream.ts): a bad query is a `Left` before any tick is read. */
export const streamTicks = (
  conn: DuckDBConnection,
  q: TickQuery,
  done: () => void = () => {},
): Promise<E.Either<MarketStoreError, AsyncIterable<EventDraft<TickReceived>[]>>> =>
  startColumnStream(
    conn,
    {
      keys: () => keysWithTicks(conn, q),
      sql: (keys) => selectSql(q, keys),
      types: TICK_COLUMN_TYPES,
      what: 'tick',
      read: tickChunks,
    },
    done,
  )
