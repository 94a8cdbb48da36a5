import * as E from 'fp-ts/lib/Either.js'
import { barFromText, type Roundings } from './barFields.js'
import { type LineBar, type ParsedFile, type ParseFailure, parseFailure } from './importTypes.js'
import { type ParseContext, resolveKey, textLines } from './parseContext.js'

// yfinance's multi-row header: line 1 names the columns (`Price,Close,High,Low,Open,Volume`: note the order),
// line 2 the ticker of each (`Ticker,^NSEI,…`), line 3 `Datetime,,,,,`. Rows carry UTC offsets
// (`2025-09-04 03:45:00+00:00`), start-labelled 1-minute bars, and float32 noise (`24876.599609375`), which is
// rounded to the paisa and counted.

const STAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})([+-]\d{2}:\d{2}|Z)$/
const NEEDED = ['Open', 'High', 'Low', 'Close'] as const

export const parseYfinanceCsv = (text: string, ctx: ParseContext): E.Either<ParseFailure, ParsedFile> => {
  const lines = textLines(text)
  const names = (lines[0] ?? '').split(',')
  if (names[0] !== 'Price') return E.left(parseFailure(1, 'expected the yfinance header "Price,…"'))
  const tickers = (lines[1] ?? '').split(',')
  if (tickers[0] !== 'Ticker' || tickers.length !== names.length) {
    return E.left(parseFailure(2, `expected "Ticker,…" with ${names.length} fields`))
  }
  if (!(lines[2] ?? '').startsWith('Datetime')) return E.left(parseFailure(3, 'expected "Datetime,…"'))
  const col = (n: string) => names.indexOf(n)
  for (const n of NEEDED) if (col(n) < 1) return E.left(parseFailure(1, `no "${n}" column`))
  const [io, ih, il, ic] = NEEDED.map(col) as [number, number, number, number]
  const iv = col('Volume')
  const tickerSet = new Set(tickers.slice(1))
  if (tickerSet.size !== 1) return E.left(parseFailure(2, 'one ticker per file is supported'))
  const key = resolveKey(ctx, tickers[1], 2)
  if (E.isLeft(key)) return key
  const roundings: Roundings = { n: 0 }
  const bars: LineBar[] = []
  for (let i = 3; i < lines.length; i++) {
    const lineNo = i + 1
    const f = (lines[i] as string).split(',')
    if (f.length !== names.length)
      return E.left(parseFailure(lineNo, `expected ${names.length} fields, found ${f.length}`))
    const m = STAMP.exec(f[0] as string)
    const instant = m === null ? Number.NaN : Date.parse(`${m[1]}T${m[2]}${m[3]}`)
    if (Number.isNaN(instant)) return E.left(parseFailure(lineNo, `invalid timestamp "${f[0]}"`))
    const bar = barFromText(
      lineNo,
      key.right,
      '1m',
      instant,
      [f[io] as string, f[ih] as string, f[il] as string, f[ic] as string],
      iv < 0 ? '' : (f[iv] as string),
      '',
      roundings,
    )
    if (typeof bar === 'string') return E.left(parseFailure(lineNo, bar))
    bars.push(bar)
  }
  return E.right({
    format: 'yfinance-csv',
    rowsRead: Math.max(0, lines.length - 3),
    bars,
    instruments: [],
    issues: [],
    floatNoiseRoundings: roundings.n,
    ignoredRows: 0,
  })
}
