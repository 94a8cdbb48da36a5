import * as E from 'fp-ts/lib/Either.js'
import { MINUTE_MS } from '../../domain/time/index.js'
import { barFromText, type Roundings } from './barFields.js'
import { type LineBar, type ParsedFile, type ParseFailure, parseFailure } from './importTypes.js'
import { hmsMs, midnightCache, type ParseContext, resolveKey, textLines } from './parseContext.js'

// The index 1-minute set (`index-1min-2021-2022/<YYYY> <MON> <NIFTY|BNF>.txt`): no header,
// `SYMBOL,YYYYMMDD,HH:MM,open,high,low,close,volume,oi`, IST. Bars are labelled by their END minute (09:16 is the
// bar 09:15:00-09:15:59), so the start is the label minus one minute. The pre-open row (09:08/09:09) and the
// post-close rows (15:31…) parse fine and then fall under the `outsideSession` check and the policy.

const YMD = /^(\d{4})(\d{2})(\d{2})$/

export const parseIndex1minTxt = (text: string, ctx: ParseContext): E.Either<ParseFailure, ParsedFile> => {
  const lines = textLines(text)
  const midnight = midnightCache()
  const roundings: Roundings = { n: 0 }
  const bars: LineBar[] = []
  const keys = new Map<string, string>()
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1
    const f = (lines[i] as string).split(',')
    if (f.length !== 9) return E.left(parseFailure(lineNo, `expected 9 fields, found ${f.length}`))
    const symbol = f[0] as string
    let key = keys.get(symbol)
    if (key === undefined) {
      const r = resolveKey(ctx, symbol, lineNo)
      if (E.isLeft(r)) return r
      key = r.right
      keys.set(symbol, key)
    }
    const m = YMD.exec(f[1] as string)
    const day = m === null ? undefined : midnight(`${m[1]}-${m[2]}-${m[3]}`)
    if (day === undefined) return E.left(parseFailure(lineNo, `invalid date "${f[1]}" (expected YYYYMMDD)`))
    const t = hmsMs(f[2] as string)
    if (t === undefined) return E.left(parseFailure(lineNo, `invalid time "${f[2]}"`))
    const bar = barFromText(
      lineNo,
      key,
      '1m',
      day + t - MINUTE_MS,
      [f[3] as string, f[4] as string, f[5] as string, f[6] as string],
      f[7] as string,
      f[8] as string,
      roundings,
    )
    if (typeof bar === 'string') return E.left(parseFailure(lineNo, bar))
    bars.push(bar)
  }
  return E.right({
    format: 'index-1min-txt',
    rowsRead: lines.length,
    bars,
    instruments: [],
    issues: [],
    floatNoiseRoundings: roundings.n,
    ignoredRows: 0,
  })
}
