import * as E from 'fp-ts/lib/Either.js'
import { type BarColumns, barFromFields, fieldBounds, fieldText, type Roundings, splitFields } from './barFields.js'
import { type LineBar, type ParsedFile, type ParseFailure, parseFailure } from './importTypes.js'
import {
  dateKeyAt,
  hmsMsAt,
  lineCursor,
  midnightOfKey,
  nextLine,
  type ParseContext,
  resolveKey,
} from './parseContext.js'

// The equity 1-minute set (`equity-1min-2025/5Scripts/<SYMBOL>/<DD-MM-YYYY>.csv`): UTF-8 BOM, CRLF,
// `date,time,open,high,low,close,volume,oi,exchangecode,symbolcode,expiry`, dates DD-MM-YYYY, IST wall clock,
// bars labelled by their start. The symbol comes from the folder name (the context's hint). This is the bulk
// import's hot path, so lines are read in place (field offsets, no substrings) and the date is parsed once a day.

export const EQUITY_1MIN_HEADER = 'date,time,open,high,low,close,volume,oi,exchangecode,symbolcode,expiry'
const FIELDS = 11
const COLUMNS: BarColumns = { open: 2, volume: 6, oi: 7 }

export const parseEquity1minCsv = (text: string, ctx: ParseContext): E.Either<ParseFailure, ParsedFile> => {
  const cur = lineCursor(text)
  if (!nextLine(text, cur) || text.slice(cur.start, cur.end) !== EQUITY_1MIN_HEADER) {
    return E.left(parseFailure(1, `expected header "${EQUITY_1MIN_HEADER}"`))
  }
  const key = resolveKey(ctx, ctx.symbolHint, 1)
  if (E.isLeft(key)) return key
  const instrumentKey = key.right
  const midnight = midnightOfKey()
  const roundings: Roundings = { n: 0 }
  const bars: LineBar[] = []
  const b = fieldBounds(FIELDS)
  let lastDateKey = -1
  let lastMidnight = 0
  while (nextLine(text, cur)) {
    const lineNo = cur.no
    if (cur.start === cur.end) return E.left(parseFailure(lineNo, 'empty line'))
    const n = splitFields(text, cur.start, cur.end, b)
    if (n !== FIELDS) return E.left(parseFailure(lineNo, `expected ${FIELDS} fields, found ${n}`))
    const dateKey = dateKeyAt(text, b.starts[0] as number, b.ends[0] as number, 'dmy')
    if (dateKey !== lastDateKey || dateKey < 0) {
      const ms = dateKey < 0 ? undefined : midnight(dateKey)
      if (ms === undefined) {
        return E.left(parseFailure(lineNo, `invalid date "${fieldText(text, b, 0)}" (expected DD-MM-YYYY)`))
      }
      lastDateKey = dateKey
      lastMidnight = ms
    }
    const t = hmsMsAt(text, b.starts[1] as number, b.ends[1] as number)
    if (t === undefined) return E.left(parseFailure(lineNo, `invalid time "${fieldText(text, b, 1)}"`))
    const bar = barFromFields(lineNo, instrumentKey, '1m', lastMidnight + t, text, b, COLUMNS, roundings)
    if (typeof bar === 'string') return E.left(parseFailure(lineNo, bar))
    bars.push(bar)
  }
  return E.right({
    format: 'equity-1min-csv',
    rowsRead: Math.max(0, cur.no - 1),
    bars,
    instruments: [],
    issues: [],
    floatNoiseRoundings: roundings.n,
    ignoredRows: 0,
  })
}
