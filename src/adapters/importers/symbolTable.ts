import * as E from 'fp-ts/lib/Either.js'
import { splitCsvLine } from '../../domain/csv/index.js'
import { InstrumentKey } from '../../domain/ids/index.js'
import { type ParseFailure, parseFailure } from './importTypes.js'
import { textLines } from './parseContext.js'

// The symbol -> instrument key table (data/instruments/nse-symbols.csv: `symbol,instrument_key,isin,name,note`).

export const SYMBOL_TABLE_HEADER = 'symbol,instrument_key,isin,name,note'

export const parseSymbolTable = (text: string): E.Either<ParseFailure, ReadonlyMap<string, string>> => {
  const lines = textLines(text)
  if (lines[0] !== SYMBOL_TABLE_HEADER) return E.left(parseFailure(1, `expected header "${SYMBOL_TABLE_HEADER}"`))
  const out = new Map<string, string>()
  for (let i = 1; i < lines.length; i++) {
    const f = splitCsvLine(lines[i] as string)
    if (f.length !== 5) return E.left(parseFailure(i + 1, `expected 5 fields, found ${f.length}`))
    const [symbol = '', key = ''] = f
    if (!InstrumentKey.is(key)) return E.left(parseFailure(i + 1, `"${key}" is not an instrument key`))
    if (out.has(symbol)) return E.left(parseFailure(i + 1, `duplicate symbol "${symbol}"`))
    out.set(symbol, key)
  }
  return E.right(out)
}
