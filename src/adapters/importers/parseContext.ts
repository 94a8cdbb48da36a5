import * as E from 'fp-ts/lib/Either.js'
import { InstrumentKey } from '../../domain/ids/index.js'
import { istMidnight } from '../../domain/time/index.js'
import { type ParseFailure, parseFailure } from './importTypes.js'

// What a parser knows besides the text: an explicit instrument key (`--instrument`), the symbol -> key map (the
// store's instruments, from an imported Upstox instrument master, over data/instruments/nse-symbols.csv; see
// importFiles.ts), and a symbol hint the file layer took from the path (the folder name of the equity 1-minute
// set, the file-name prefix of the daily set, the file name of the EOD set).

export interface ParseContext {
  readonly instrumentKey?: string
  readonly symbolKeys: ReadonlyMap<string, string>
  readonly symbolHint?: string
}

/** The instrument key for a symbol: `--instrument` wins, then the map; a key that is not well formed fails. */
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
          : `no instrument key for symbol "${symbol}": import an Upstox instrument master first (bahi import NSE.json), or pass --instrument KEY`,
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

/**
 * Walks a text line by line without splitting it: `start`/`end` bound the current line (no `\r`, no `\n`), `no` is
 * its 1-based number. A leading BOM is skipped; a final line break does not make an empty last line.
 */
export interface LineCursor {
  start: number
  end: number
  next: number
  no: number
}

export const lineCursor = (text: string): LineCursor => {
  const first = text.charCodeAt(0) === 0xfeff ? 1 : 0
  return { start: first, end: first, next: first, no: 0 }
}

/** Moves to the next line; false at the end of the text. */
export const nextLine = (text: string, c: LineCursor): boolean => {
  if (c.next >= text.length) return false
  c.start = c.next
  const nl = text.indexOf('\n', c.start)
  const end = nl < 0 ? text.length : nl
  c.next = end + 1
  c.end = end > c.start && text.charCodeAt(end - 1) === 13 ? end - 1 : end
  c.no++
  return true
}

const digitsAt = (text: string, at: number, n: number): number => {
  let v = 0
  for (let i = at; i < at + n; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    v = v * 10 + d
  }
  return v
}

/** `HH:MM[:SS]` in `text[start, end)` to ms after midnight; undefined if malformed. Reads in place. */
export const hmsMsAt = (text: string, start: number, end: number): number | undefined => {
  const len = end - start
  if ((len !== 5 && len !== 8) || text.charCodeAt(start + 2) !== 58) return undefined
  const h = digitsAt(text, start, 2)
  const mi = digitsAt(text, start + 3, 2)
  let se = 0
  if (len === 8) {
    if (text.charCodeAt(start + 5) !== 58) return undefined
    se = digitsAt(text, start + 6, 2)
  }
  if (h < 0 || mi < 0 || se < 0 || h > 23 || mi > 59 || se > 59) return undefined
  return ((h * 60 + mi) * 60 + se) * 1000
}

/**
 * A date in `text[start, end)` written `DD-MM-YYYY` (`dmy`) or `YYYY-MM-DD`, as the number YYYYMMDD (a cache key),
 * or -1 when it is not laid out so. Whether the date exists is for `istMidnight` to say.
 */
export const dateKeyAt = (text: string, start: number, end: number, order: 'dmy' | 'ymd'): number => {
  if (end - start !== 10) return -1
  const [a, b] = order === 'dmy' ? [2, 5] : [4, 7]
  if (text.charCodeAt(start + a) !== 45 || text.charCodeAt(start + b) !== 45) return -1
  const y = order === 'dmy' ? digitsAt(text, start + 6, 4) : digitsAt(text, start, 4)
  const m = order === 'dmy' ? digitsAt(text, start + 3, 2) : digitsAt(text, start + 5, 2)
  const d = order === 'dmy' ? digitsAt(text, start, 2) : digitsAt(text, start + 8, 2)
  return y < 0 || m < 0 || d < 0 ? -1 : y * 10_000 + m * 100 + d
}

/** IST midnight of a YYYYMMDD key, memoised per key; undefined for a date that does not exist. */
export const midnightOfKey = () => {
  const cache = new Map<number, number | undefined>()
  return (key: number): number | undefined => {
    if (cache.has(key)) return cache.get(key)
    const y = Math.floor(key / 10_000)
    const iso = `${String(y).padStart(4, '0')}-${String(Math.floor(key / 100) % 100).padStart(2, '0')}-${String(key % 100).padStart(2, '0')}`
    const ms = istMidnight(iso)
    cache.set(key, ms)
    return ms
  }
}
