import * as E from 'fp-ts/lib/Either.js'
import { IST_OFFSET_MS, istDateOf, MINUTE_MS } from '../../domain/time/index.js'
import { type BarColumns, barFromFields, fieldBounds, fieldText, type Roundings, splitFields } from './barFields.js'
import { type LineBar, type ParsedFile, type ParseFailure, parseFailure } from './importTypes.js'
import { lineCursor, nextLine, type ParseContext, resolveKey } from './parseContext.js'

// Daily bars with offsets (`equity-daily-2020-2025/<SYMBOL>_<from>_to_<to>.csv`, the Kite export format):
// `timestamp,open,high,low,close,volume,oi`, e.g. `2020-10-01 00:00:00+05:30,1078.9,…`. The timestamp must be IST
// midnight; the bar is stored under timeframe 1d, labelled 09:15 IST of its date (the store's 1d convention).

export const DAILY_HEADER = 'timestamp,open,high,low,close,volume,oi'
const STAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})([+-]\d{2}:\d{2}|Z)$/
const OPEN_OFFSET_MS = (9 * 60 + 15) * MINUTE_MS
const FIELDS = 7
const COLUMNS: BarColumns = { open: 1, volume: 5, oi: 6 }

export const parseDailyCsv = (text: string, ctx: ParseContext): E.Either<ParseFailure, ParsedFile> => {
  const cur = lineCursor(text)
  if (!nextLine(text, cur) || text.slice(cur.start, cur.end) !== DAILY_HEADER) {
    return E.left(parseFailure(1, `expected header "${DAILY_HEADER}"`))
  }
  const key = resolveKey(ctx, ctx.symbolHint, 1)
  if (E.isLeft(key)) return key
  const roundings: Roundings = { n: 0 }
  const bars: LineBar[] = []
  const b = fieldBounds(FIELDS)
  while (nextLine(text, cur)) {
    const lineNo = cur.no
    const n = splitFields(text, cur.start, cur.end, b)
    if (n !== FIELDS) return E.left(parseFailure(lineNo, `expected ${FIELDS} fields, found ${n}`))
    const stamp = fieldText(text, b, 0)
    const m = STAMP.exec(stamp)
    const instant = m === null ? Number.NaN : Date.parse(`${m[1]}T${m[2]}${m[3]}`)
    if (Number.isNaN(instant)) {
      return E.left(parseFailure(lineNo, `invalid timestamp "${stamp}" (expected YYYY-MM-DD HH:MM:SS+05:30)`))
    }
    const midnight = Date.parse(`${istDateOf(instant)}T00:00:00Z`) - IST_OFFSET_MS
    if (instant !== midnight) return E.left(parseFailure(lineNo, `daily timestamp "${stamp}" is not IST midnight`))
    const bar = barFromFields(lineNo, key.right, '1d', midnight + OPEN_OFFSET_MS, text, b, COLUMNS, roundings)
    if (typeof bar === 'string') return E.left(parseFailure(lineNo, bar))
    bars.push(bar)
  }
  return E.right({
    format: 'daily-csv',
    rowsRead: Math.max(0, cur.no - 1),
    bars,
    instruments: [],
    issues: [],
    floatNoiseRoundings: roundings.n,
    ignoredRows: 0,
  })
}
