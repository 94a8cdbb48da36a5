import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { Timeframe } from '../../domain/events/index.js'
import type { ColumnMapping } from './genericCsv.js'

// A `ColumnMapping` as a user writes it (`bahi import --format generic-csv --mapping '{…}'`), checked at the
// boundary. The column fields name header cells; `dateFormat`, `timezone`, `label` and `timeframe` default to the
// plain `timestamp,open,…` reading (YYYY-MM-DD, IST, start-labelled, 1m). Unknown keys are refused, not dropped: a
// misspelt `"clsoe"` would otherwise be ignored and the file read with the wrong column (or none).

const Column = t.refinement(t.string, (s) => s.trim() !== '', 'a non-empty column name')

const Fields = {
  timestamp: Column,
  date: Column,
  time: Column,
  open: Column,
  high: Column,
  low: Column,
  close: Column,
  volume: Column,
  oi: Column,
  symbol: Column,
  dateFormat: t.keyof({ 'YYYY-MM-DD': null, 'DD-MM-YYYY': null, YYYYMMDD: null }),
  timezone: t.keyof({ IST: null, UTC: null }),
  label: t.keyof({ start: null, end: null }),
  timeframe: Timeframe,
}

const MappingJson = t.intersection([
  t.type({ open: Fields.open, high: Fields.high, low: Fields.low, close: Fields.close }),
  t.partial(Fields),
])

const FIELD_NAMES = Object.keys(Fields)

/** What a field accepts, for the error message. */
const expected = (field: string): string => {
  switch (field) {
    case 'dateFormat':
      return 'one of "YYYY-MM-DD", "DD-MM-YYYY", "YYYYMMDD"'
    case 'timezone':
      return 'one of "IST", "UTC"'
    case 'label':
      return 'one of "start", "end"'
    case 'timeframe':
      return `one of ${Object.keys(Timeframe.keys)
        .map((k) => `"${k}"`)
        .join(', ')}`
    default:
      return 'a non-empty column name (a header cell)'
  }
}

/** The first failing field of a decode, named with what it accepts. */
const describeErrors = (errors: t.Errors): string => {
  const first = errors[0]
  const field = first?.context.find((c) => FIELD_NAMES.includes(c.key))?.key
  if (field === undefined) return 'expected a JSON object of column names'
  const got = first?.value === undefined ? 'it is missing' : `got ${JSON.stringify(first.value)}`
  return `"${field}" must be ${expected(field)}; ${got}`
}

/** A mapping from parsed JSON, or a message naming the bad field. */
export const decodeColumnMapping = (u: unknown): E.Either<string, ColumnMapping> => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return E.left('expected a JSON object of column names')
  const unknown = Object.keys(u).filter((k) => !FIELD_NAMES.includes(k))
  if (unknown.length > 0) {
    return E.left(`unknown field ${JSON.stringify(unknown[0])} (fields: ${FIELD_NAMES.join(', ')})`)
  }
  const decoded = MappingJson.decode(u)
  if (E.isLeft(decoded)) return E.left(describeErrors(decoded.left))
  const m = decoded.right
  if (m.timestamp !== undefined && (m.date !== undefined || m.time !== undefined)) {
    return E.left('"timestamp" and "date"/"time" exclude each other: map one timestamp column, or a date (+ time)')
  }
  if (m.timestamp === undefined && m.date === undefined) {
    return E.left('map either "timestamp" or "date" (+ "time")')
  }
  if (m.time !== undefined && m.date === undefined) return E.left('"time" needs a "date" column')
  return E.right({
    ...m,
    dateFormat: m.dateFormat ?? 'YYYY-MM-DD',
    timezone: m.timezone ?? 'IST',
    label: m.label ?? 'start',
    timeframe: m.timeframe ?? '1m',
  })
}
