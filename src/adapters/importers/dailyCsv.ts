import * as E from 'fp-ts/lib/Either.js'
import { IST_OFFSET_MS, istDateOf, MINUTE_MS } from '../../domain/time/index.js'
import { barFromFields, type Roundings } from './barFields.js'
import { type LineBar, type ParsedFile, type ParseFailure, parseFailure } from './importTypes.js'
import { type ParseContext, resolveKey, textLines } from './parseContext.js'

// Daily bars with offsets (`equity-daily-2020-2025/<SYMBOL>_<from>_to_<to>.csv`, the Kite export format):
// `timestamp,open,high,low,close,volume,oi`, e.g. `2020-10-01 00:00:00+05:30,1078.9,…`. The timestamp must be IST
// midnight; the bar is stored under timeframe 1d, labelled 09:15 IST of its date (the store's 1d convention).

export const DAILY_HEADER = 'timestamp,open,high,low,close,volume,oi'
const STAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})([+-]\d{2}:\d{2}|Z)$/
const OPEN_OFFSET_MS = (9 * 60 + 15) * MINUTE_MS

export const parseDailyCsv = (text: string, ctx: ParseContext): E.Either<ParseFailure, ParsedFile> => {
  const lines = textLines(text)
  if (lines[0] !== DAILY_HEADER) return E.left(parseFailure(1, `expected header "${DAILY_HEADER}"`))
  const key = resolveKey(ctx, ctx.symbolHint, 1)
  if (E.isLeft(key)) return key
  const roundings: Roundings = { n: 0 }
  const bars: LineBar[] = []
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1
    const f = (lines[i] as string).split(',')
    if (f.length !== 7) return E.left(parseFailure(lineNo, `expected 7 fields, found ${f.length}`))
    const m = STAMP.exec(f[0] as string)
    const instant = m === null ? Number.NaN : Date.parse(`${m[1]}T${m[2]}${m[3]}`)
    if (Number.isNaN(instant)) {
      return E.left(parseFailure(lineNo, `invalid timestamp "${f[0]}" (expected YYYY-MM-DD HH:MM:SS+05:30)`))
    }
    const date = istDateOf(instant)
    const midnight = Date.parse(`${date}T00:00:00Z`) - IST_OFFSET_MS
    if (instant !== midnight) return E.left(parseFailure(lineNo, `daily timestamp "${f[0]}" is not IST midnight`))
    const bar = barFromFields(
      lineNo,
      key.right,
      '1d',
      midnight + OPEN_OFFSET_MS,
      [f[1] as string, f[2] as string, f[3] as string, f[4] as string],
      f[5] as string,
      f[6] as string,
      roundings,
    )
    if (typeof bar === 'string') return E.left(parseFailure(lineNo, bar))
    bars.push(bar)
  }
  return E.right({
    format: 'daily-csv',
    rowsRead: lines.length - 1,
    bars,
    instruments: [],
    issues: [],
    floatNoiseRoundings: roundings.n,
    ignoredRows: 0,
  })
}
