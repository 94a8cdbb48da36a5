import * as E from 'fp-ts/lib/Either.js'
import { InstrumentKey } from '../../domain/ids/index.js'
import { istMidnight } from '../../domain/time/index.js'
import { type ParseFailure, parseFailure } from './importTypes.js'

// What a parser knows besides the text: an explicit instrument key (`--instrument`), the symbol -> key table
// (data/instruments/nse-symbols.csv), and a symbol hint the file layer took from the path (the folder name of the
// equity 1-minute set, the file-name prefix of the daily set).

export interface ParseContext {
  readonly instrumentKey?: string
  readonly symbolKeys: ReadonlyMap<string, string>
  readonly symbolHint?: string
}

/** The instrument key for a symbol: `--instrument` wins, then the table; a key that is not well formed fails. */
export const resolveKey = (
  ctx: ParseContext,
  symbol: string | undefined,
  line: number,
): E.Either<ParseFailure, string> => {
  const key = ctx.instrumentKey ?? (symbol === undefined ? undefined : ctx.symbolKeys.get(symbol))
  if (key === undefined) {
    return E.left(
      parseFailure(
        line,
        symbol === undefined
          ? 'no instrument key: pass --instrument KEY'
          : `no instrument key for symbol "${symbol}": pass --instrument KEY or add it to data/instruments/nse-symbols.csv`,
      ),
    )
  }
  return InstrumentKey.is(key) ? E.right(key) : E.left(parseFailure(line, `"${key}" is not an instrument key`))
}

/** Splits text into lines, dropping a UTF-8 BOM and the `\r` of CRLF line ends. */
export const textLines = (text: string): string[] => {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const lines = body.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1)
  }
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  return lines
}

/** A memo of IST midnights by date text, so a file of one day parses its date once. */
export const midnightCache = () => {
  const cache = new Map<string, number | undefined>()
  return (isoDate: string): number | undefined => {
    if (cache.has(isoDate)) return cache.get(isoDate)
    const ms = istMidnight(isoDate)
    cache.set(isoDate, ms)
    return ms
  }
}

const HMS = /^(\d{2}):(\d{2})(?::(\d{2}))?$/
/** `HH:MM[:SS]` to ms after midnight; undefined if malformed. */
export const hmsMs = (s: string): number | undefined => {
  const m = HMS.exec(s)
  if (m === null) return undefined
  const h = Number(m[1])
  const mi = Number(m[2])
  const se = m[3] === undefined ? 0 : Number(m[3])
  return h > 23 || mi > 59 || se > 59 ? undefined : ((h * 60 + mi) * 60 + se) * 1000
}
