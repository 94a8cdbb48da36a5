import * as E from 'fp-ts/lib/Either.js'
import { splitCsvLine } from '../../domain/csv/index.js'
import { TIMEFRAME_MS, type Timeframe } from '../../domain/events/index.js'
import { IST_OFFSET_MS, istDateOf, MINUTE_MS } from '../../domain/time/index.js'
import { barFromText, type Roundings } from './barFields.js'
import { type LineBar, type ParsedFile, type ParseFailure, parseFailure } from './importTypes.js'
import { hmsMs, type ParseContext, resolveKey, textLines } from './parseContext.js'

// Any CSV of bars with a header line, given a mapping from the bar's fields to column names. Times are either one
// `timestamp` column or a `date` and a `time` column. A timestamp with an offset (`+05:30`, `Z`) is taken as is; a
// naive one is read in `timezone`. `label: 'end'` shifts each bar back by its timeframe to start-labelling.
// Daily bars are labelled 09:15 IST of their IST date. Quoted fields (`"a,b"`, `""`) are understood.

export type DateFormat = 'YYYY-MM-DD' | 'DD-MM-YYYY' | 'YYYYMMDD'

export interface ColumnMapping {
  readonly timestamp?: string
  readonly date?: string
  readonly time?: string
  readonly open: string
  readonly high: string
  readonly low: string
  readonly close: string
  readonly volume?: string
  readonly oi?: string
  /** A column holding the symbol, looked up in the symbol table (unless `--instrument` is given). */
  readonly symbol?: string
  readonly dateFormat: DateFormat
  readonly timezone: 'IST' | 'UTC'
  readonly label: 'start' | 'end'
  readonly timeframe: Timeframe
}

export const DEFAULT_MAPPING: ColumnMapping = {
  timestamp: 'timestamp',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
  dateFormat: 'YYYY-MM-DD',
  timezone: 'IST',
  label: 'start',
  timeframe: '1m',
}

/** The `eod-2024-2025` set's header (`date,o,h,l,c,v`, v = 0 for indices): the `eod-csv` preset reads it. */
export const EOD_CSV_HEADER = 'date,o,h,l,c,v'

/** `eod-csv`: daily bars, IST dates, symbol = the file name (`NIFTY_50.csv`, `RELIANCE.csv`). */
export const EOD_CSV_MAPPING: ColumnMapping = {
  date: 'date',
  open: 'o',
  high: 'h',
  low: 'l',
  close: 'c',
  volume: 'v',
  dateFormat: 'YYYY-MM-DD',
  timezone: 'IST',
  label: 'start',
  timeframe: '1d',
}

const DATE_RE: Record<DateFormat, RegExp> = {
  'YYYY-MM-DD': /^(\d{4})-(\d{2})-(\d{2})/,
  'DD-MM-YYYY': /^(\d{2})-(\d{2})-(\d{4})/,
  YYYYMMDD: /^(\d{4})(\d{2})(\d{2})/,
}

/** `[isoDate, rest]` from text starting with a date in `format`, or undefined. */
const splitDate = (s: string, format: DateFormat): [string, string] | undefined => {
  const m = DATE_RE[format].exec(s)
  if (m === null) return undefined
  const iso = format === 'DD-MM-YYYY' ? `${m[3]}-${m[2]}-${m[1]}` : `${m[1]}-${m[2]}-${m[3]}`
  return [iso, s.slice(m[0].length).replace(/^[ T]/, '')]
}

const OFFSET = /([+-]\d{2}:?\d{2}|Z)$/

const instantOf = (dateText: string, timeText: string | undefined, m: ColumnMapping): number | undefined => {
  const d = splitDate(dateText.trim(), m.dateFormat)
  if (d === undefined) return undefined
  const [iso, rest0] = d
  const rest = timeText === undefined ? rest0 : timeText.trim()
  const off = OFFSET.exec(rest)
  const clock = off === null ? rest : rest.slice(0, off.index).trim()
  const ms = clock === '' ? 0 : hmsMs(clock.replace(/\.\d+$/, ''))
  const day = Date.parse(`${iso}T00:00:00Z`)
  if (ms === undefined || Number.isNaN(day)) return undefined
  if (off !== null) {
    const t = Date.parse(
      `${iso}T${clock === '' ? '00:00:00' : clock.length === 5 ? `${clock}:00` : clock}${off[1] === 'Z' ? 'Z' : (off[1] as string).replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`,
    )
    return Number.isNaN(t) ? undefined : t
  }
  return day + ms - (m.timezone === 'IST' ? IST_OFFSET_MS : 0)
}

export const parseGenericCsv = (
  text: string,
  ctx: ParseContext,
  mapping: ColumnMapping = DEFAULT_MAPPING,
): E.Either<ParseFailure, ParsedFile> => {
  const lines = textLines(text)
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim())
  const idx = (name: string | undefined, required: boolean): number | undefined | ParseFailure => {
    if (name === undefined) return required ? parseFailure(1, 'mapping is missing a required column') : undefined
    const i = header.indexOf(name)
    return i < 0 ? parseFailure(1, `no column "${name}" in the header`) : i
  }
  const pick = (name: string | undefined, required: boolean) => idx(name, required)
  const cols = {
    ts: pick(mapping.timestamp, false),
    date: pick(mapping.date, false),
    time: pick(mapping.time, false),
    open: pick(mapping.open, true),
    high: pick(mapping.high, true),
    low: pick(mapping.low, true),
    close: pick(mapping.close, true),
    volume: pick(mapping.volume, false),
    oi: pick(mapping.oi, false),
    symbol: pick(mapping.symbol, false),
  }
  for (const v of Object.values(cols)) if (typeof v === 'object') return E.left(v)
  const c = cols as { [K in keyof typeof cols]: number | undefined }
  if (c.ts === undefined && c.date === undefined)
    return E.left(parseFailure(1, 'map either timestamp or date (+ time)'))
  const keys = new Map<string, string>()
  const roundings: Roundings = { n: 0 }
  const bars: LineBar[] = []
  const shift = mapping.label === 'end' ? TIMEFRAME_MS[mapping.timeframe] : 0
  const get = (f: string[], i: number | undefined) => (i === undefined ? '' : (f[i] ?? ''))
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1
    const f = splitCsvLine(lines[i] as string)
    if (f.length !== header.length)
      return E.left(parseFailure(lineNo, `expected ${header.length} fields, found ${f.length}`))
    const symbol = c.symbol === undefined ? ctx.symbolHint : get(f, c.symbol)
    let key = keys.get(symbol ?? '')
    if (key === undefined) {
      const r = resolveKey(ctx, symbol, lineNo)
      if (E.isLeft(r)) return r
      key = r.right
      keys.set(symbol ?? '', key)
    }
    const stamp = c.ts !== undefined ? get(f, c.ts) : get(f, c.date)
    const instant = instantOf(
      stamp,
      c.ts !== undefined ? undefined : c.time === undefined ? '' : get(f, c.time),
      mapping,
    )
    if (instant === undefined)
      return E.left(parseFailure(lineNo, `invalid time "${stamp}" (date format ${mapping.dateFormat})`))
    const openMs =
      mapping.timeframe === '1d'
        ? Date.parse(`${istDateOf(instant)}T00:00:00Z`) - IST_OFFSET_MS + (9 * 60 + 15) * MINUTE_MS
        : instant - shift
    const bar = barFromText(
      lineNo,
      key,
      mapping.timeframe,
      openMs,
      [get(f, c.open), get(f, c.high), get(f, c.low), get(f, c.close)],
      get(f, c.volume).trim(),
      get(f, c.oi).trim(),
      roundings,
    )
    if (typeof bar === 'string') return E.left(parseFailure(lineNo, bar))
    bars.push(bar)
  }
  return E.right({
    format: 'generic-csv',
    rowsRead: Math.max(0, lines.length - 1),
    bars,
    instruments: [],
    issues: [],
    floatNoiseRoundings: roundings.n,
    ignoredRows: 0,
  })
}
