import * as E from 'fp-ts/lib/Either.js'
import { barFromFields, type Roundings } from './barFields.js'
import { type LineBar, type ParsedFile, type ParseFailure, parseFailure } from './importTypes.js'
import { hmsMs, midnightCache, type ParseContext, resolveKey, textLines } from './parseContext.js'

// The equity 1-minute set (`equity-1min-2025/5Scripts/<SYMBOL>/<DD-MM-YYYY>.csv`): UTF-8 BOM, CRLF,
// `date,time,open,high,low,close,volume,oi,exchangecode,symbolcode,expiry`, dates DD-MM-YYYY, IST wall clock,
// bars labelled by their start. The symbol comes from the folder name (the context's hint).

export const EQUITY_1MIN_HEADER = 'date,time,open,high,low,close,volume,oi,exchangecode,symbolcode,expiry'
const DMY = /^(\d{2})-(\d{2})-(\d{4})$/

export const parseEquity1minCsv = (text: string, ctx: ParseContext): E.Either<ParseFailure, ParsedFile> => {
  const lines = textLines(text)
  if (lines[0] !== EQUITY_1MIN_HEADER) return E.left(parseFailure(1, `expected header "${EQUITY_1MIN_HEADER}"`))
  const key = resolveKey(ctx, ctx.symbolHint, 1)
  if (E.isLeft(key)) return key
  const instrumentKey = key.right
  const midnight = midnightCache()
  const roundings: Roundings = { n: 0 }
  const bars: LineBar[] = []
  let lastDate = ''
  let lastMidnight = 0
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1
    const text = lines[i] as string
    if (text === '') return E.left(parseFailure(lineNo, 'empty line'))
    const f = text.split(',')
    if (f.length !== 11) return E.left(parseFailure(lineNo, `expected 11 fields, found ${f.length}`))
    const date = f[0] as string
    if (date !== lastDate) {
      const m = DMY.exec(date)
      const ms = m === null ? undefined : midnight(`${m[3]}-${m[2]}-${m[1]}`)
      if (ms === undefined) return E.left(parseFailure(lineNo, `invalid date "${date}" (expected DD-MM-YYYY)`))
      lastDate = date
      lastMidnight = ms
    }
    const t = hmsMs(f[1] as string)
    if (t === undefined) return E.left(parseFailure(lineNo, `invalid time "${f[1]}"`))
    const bar = barFromFields(
      lineNo,
      instrumentKey,
      '1m',
      lastMidnight + t,
      [f[2] as string, f[3] as string, f[4] as string, f[5] as string],
      f[6] as string,
      f[7] as string,
      roundings,
    )
    if (typeof bar === 'string') return E.left(parseFailure(lineNo, bar))
    bars.push(bar)
  }
  return E.right({
    format: 'equity-1min-csv',
    rowsRead: lines.length - 1,
    bars,
    instruments: [],
    issues: [],
    floatNoiseRoundings: roundings.n,
    ignoredRows: 0,
  })
}
