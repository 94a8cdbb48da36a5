import * as E from 'fp-ts/lib/Either.js'
import {
  type BarColumns,
  barFromFields,
  type FieldBounds,
  fieldBounds,
  fieldText,
  type Roundings,
  splitFields,
} from './barFields.js'
import { type EquityScanState, equityScanState, scanEquityLine } from './equityLineScan.js'
import { type LineBar, type ParsedFile, type ParseFailure, parseFailure } from './importTypes.js'
import {
  dateKeyAt,
  hmsMsAt,
  type LineCursor,
  lineCursor,
  midnightOfKey,
  nextLine,
  type ParseContext,
  resolveKey,
} from './parseContext.js'

// The equity 1-minute set (`equity-1min-2025/5Scripts/<SYMBOL>/<DD-MM-YYYY>.csv`): UTF-8 BOM, CRLF,
// `date,time,open,high,low,close,volume,oi,exchangecode,symbolcode,expiry`, dates DD-MM-YYYY, IST wall clock,
// bars labelled by their start. The symbol comes from the folder name (the context's hint). This is the bulk
// import's hot path: each line is first read by one forward scan (equityLineScan.ts), and only a line the scan does
// not accept is split into fields and read the general way, which gives the same bar or the exact error. The general
// path alone stays callable (`parseEquity1minCsvGeneral`) so a property test can hold the two to the same results.

export const EQUITY_1MIN_HEADER = 'date,time,open,high,low,close,volume,oi,exchangecode,symbolcode,expiry'
const FIELDS = 11
const COLUMNS: BarColumns = { open: 2, volume: 6, oi: 7 }

/** One line read the general way: the bar, or the reason it cannot be read. Updates the date in `s`. */
const generalLine = (
  text: string,
  cur: LineCursor,
  instrumentKey: string,
  b: FieldBounds,
  s: EquityScanState,
  roundings: Roundings,
): LineBar | string => {
  if (cur.start === cur.end) return 'empty line'
  const n = splitFields(text, cur.start, cur.end, b)
  if (n !== FIELDS) return `expected ${FIELDS} fields, found ${n}`
  const dateKey = dateKeyAt(text, b.starts[0] as number, b.ends[0] as number, 'dmy')
  if (dateKey !== s.dateKey || dateKey < 0) {
    const ms = dateKey < 0 ? undefined : s.midnight(dateKey)
    if (ms === undefined) return `invalid date "${fieldText(text, b, 0)}" (expected DD-MM-YYYY)`
    s.dateKey = dateKey
    s.midnightMs = ms
  }
  const t = hmsMsAt(text, b.starts[1] as number, b.ends[1] as number)
  if (t === undefined) return `invalid time "${fieldText(text, b, 1)}"`
  return barFromFields(cur.no, instrumentKey, '1m', s.midnightMs + t, text, b, COLUMNS, roundings)
}

const parseWith = (text: string, ctx: ParseContext, fast: boolean): E.Either<ParseFailure, ParsedFile> => {
  const cur = lineCursor(text)
  if (!nextLine(text, cur) || text.slice(cur.start, cur.end) !== EQUITY_1MIN_HEADER) {
    return E.left(parseFailure(1, `expected header "${EQUITY_1MIN_HEADER}"`))
  }
  const key = resolveKey(ctx, ctx.symbolHint, 1)
  if (E.isLeft(key)) return key
  const instrumentKey = key.right
  const s = equityScanState(midnightOfKey())
  const roundings: Roundings = { n: 0 }
  const bars: LineBar[] = []
  const b = fieldBounds(FIELDS)
  while (nextLine(text, cur)) {
    const bar =
      (fast ? scanEquityLine(text, cur.start, cur.end, cur.no, instrumentKey, s) : undefined) ??
      generalLine(text, cur, instrumentKey, b, s, roundings)
    if (typeof bar === 'string') return E.left(parseFailure(cur.no, bar))
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

/** The equity 1-minute parser: the fast scan per line, the general code for the lines it does not accept. */
export const parseEquity1minCsv = (text: string, ctx: ParseContext): E.Either<ParseFailure, ParsedFile> =>
  parseWith(text, ctx, true)

/** The same parser without the fast scan: every line split into fields (the reference the fast path must match). */
export const parseEquity1minCsvGeneral = (text: string, ctx: ParseContext): E.Either<ParseFailure, ParsedFile> =>
  parseWith(text, ctx, false)
