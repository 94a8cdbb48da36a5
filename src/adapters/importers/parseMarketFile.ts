import { basename, dirname, extname } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { TradingCalendar } from '../../domain/calendar/index.js'
import type { Timeframe } from '../../domain/events/index.js'
import { DEFAULT_TICK_PAISE } from '../../domain/money/index.js'
import type { BarRow, InstrumentRow, TickRow } from '../marketStore/index.js'
import { detectTickFileFormat, type TickFileFormat } from '../tickFiles/index.js'
import { applyPolicy, type RowPolicy } from './applyPolicy.js'
import { DAILY_HEADER, parseDailyCsv } from './dailyCsv.js'
import { countDataRows } from './dataRows.js'
import { EQUITY_1MIN_HEADER, parseEquity1minCsv } from './equity1minCsv.js'
import { type ColumnMapping, EOD_CSV_HEADER, EOD_CSV_MAPPING, parseGenericCsv } from './genericCsv.js'
import { type ImportFormat, isTickFormat, type ParsedFile, type RowIssue } from './importTypes.js'
import { parseIndex1minTxt } from './index1minTxt.js'
import { inspectBars } from './inspectBars.js'
import type { ParseContext } from './parseContext.js'
import {
  parseTickRows,
  type TickFileRejection,
  type TickFileRows,
  type TicksNotInBars,
  type TicksToBars,
} from './tickRows.js'
import { parseUpstoxCandlesJson } from './upstoxCandlesJson.js'
import { parseUpstoxInstrumentsJson } from './upstoxInstrumentsJson.js'
import { parseYfinanceCsv } from './yfinanceCsv.js'

// From a file's name and text to the rows to store, pure: pick the format (given, or detected from the content),
// parse, inspect, apply the policy. The file layer (importFiles.ts) reads the text and writes the result.

export interface ParseFileOptions {
  readonly format?: ImportFormat
  readonly instrumentKey?: string
  readonly policy: RowPolicy
  readonly symbolKeys: ReadonlyMap<string, string>
  readonly calendar?: TradingCalendar
  readonly mapping?: ColumnMapping
  /**
   * Instrument key -> tick in paise (the store's instrument master), for the off-tick check. An instrument it does
   * not know is checked against 0.05 INR (`DEFAULT_TICK_PAISE`), the NSE equity and index-futures tick; index
   * values are never checked.
   */
  readonly tickSizes?: ReadonlyMap<string, number>
  /** Upstox candle files only: their interval (`bahi import --timeframe`), instead of reading it from the candles. */
  readonly timeframe?: Timeframe
  /** Tick files only: also fold the kept ticks into 1-minute bars, stored with them (`bahi import --bars`). */
  readonly ticksToBars?: TicksToBars
}

/** A file that is not imported, with the data rows it holds (`countDataRows`; a policy rejection: the parser's). */
export type FileRejection = RejectionReason & { readonly rowsRead: number }

type RejectionReason =
  | TickFileRejection
  | { readonly _tag: 'UnknownFormat'; readonly line: number; readonly reason: string }
  | { readonly _tag: 'TimeframeNotApplicable'; readonly line: number; readonly reason: string }

export interface FileRows {
  readonly format: ImportFormat
  readonly rowsRead: number
  readonly bars: readonly BarRow[]
  readonly instruments: readonly InstrumentRow[]
  readonly ticks: readonly TickRow[]
  readonly skipped: readonly RowIssue[]
  readonly flagged: readonly RowIssue[]
  readonly floatNoiseRoundings: number
  /** Rows read that the format defines as not data (Dhan `oi` packets, repeated instruments); not stored. */
  readonly ignoredRows: number
  /** A tick file imported with bars: the ticks the aggregator left out of them; null otherwise. */
  readonly ticksNotInBars: TicksNotInBars | null
}

/** Why a format's ignored rows are not data, for the import summary. */
export const ignoredReason = (format: ImportFormat): string | undefined => {
  switch (format) {
    case 'dhan-futures-ticks':
      return 'not a trade packet (Dhan oi packets carry open interest only)'
    case 'upstox-instruments-json':
      return 'instrument_key repeated in the master (the first kept)'
    default:
      return undefined
  }
}

const INDEX_ROW = /^[A-Z][A-Z0-9&-]*,\d{8},\d{2}:\d{2},/

/** The format of a file from its content (and extension); undefined when nothing matches. */
export const detectFormat = (fileName: string, text: string): ImportFormat | undefined => {
  const head = text.slice(0, 512).replace(/^\uFEFF/, '')
  const first = head.split(/\r?\n/)[0] ?? ''
  if (first === EQUITY_1MIN_HEADER) return 'equity-1min-csv'
  if (first === DAILY_HEADER) return 'daily-csv'
  if (first === EOD_CSV_HEADER) return 'eod-csv'
  if (first.startsWith('Price,')) return 'yfinance-csv'
  if (INDEX_ROW.test(first)) return 'index-1min-txt'
  const trimmed = head.trimStart()
  if (extname(fileName).toLowerCase() === '.json' || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    if (trimmed.startsWith('[')) return 'upstox-instruments-json'
    if (trimmed.startsWith('{')) return 'upstox-candles-json'
  }
  return detectTickFileFormat(head)
}

/** The symbol a file's path suggests: the folder of the equity 1-minute set, the name prefix of the daily set. */
export const symbolHintOf = (path: string, format: ImportFormat): string | undefined => {
  switch (format) {
    case 'equity-1min-csv':
      return basename(dirname(path))
    case 'daily-csv':
      return basename(path).split('_')[0]
    case 'generic-csv':
    case 'eod-csv':
      return basename(path, extname(path))
    default:
      return undefined
  }
}

const parseAs = (
  format: Exclude<ImportFormat, TickFileFormat>,
  text: string,
  ctx: ParseContext,
  opts: ParseFileOptions,
) => {
  switch (format) {
    case 'equity-1min-csv':
      return parseEquity1minCsv(text, ctx)
    case 'daily-csv':
      return parseDailyCsv(text, ctx)
    case 'index-1min-txt':
      return parseIndex1minTxt(text, ctx)
    case 'yfinance-csv':
      return parseYfinanceCsv(text, ctx)
    case 'upstox-candles-json':
      return parseUpstoxCandlesJson(text, ctx, opts.timeframe)
    case 'upstox-instruments-json':
      return parseUpstoxInstrumentsJson(text)
    case 'eod-csv':
      return E.map((p: ParsedFile): ParsedFile => ({ ...p, format: 'eod-csv' }))(
        parseGenericCsv(text, ctx, EOD_CSV_MAPPING),
      )
    case 'generic-csv':
      return parseGenericCsv(text, ctx, opts.mapping)
  }
}

const isIndexKey = (key: string): boolean => key.startsWith('NSE_INDEX|') || key.startsWith('BSE_INDEX|')

/** The tick of an instrument's bars: none for index values, else the stored master's, else 0.05 INR. */
const tickFor =
  (format: ImportFormat, opts: ParseFileOptions) =>
  (key: string): number | undefined => {
    if (format === 'index-1min-txt' || format === 'yfinance-csv' || isIndexKey(key)) return undefined
    return opts.tickSizes?.get(key) ?? DEFAULT_TICK_PAISE
  }

export const parseMarketFile = (
  path: string,
  text: string,
  opts: ParseFileOptions,
): E.Either<FileRejection, FileRows> => {
  const format = opts.format ?? detectFormat(path, text)
  if (format === undefined) {
    return E.left({
      _tag: 'UnknownFormat',
      line: 1,
      reason: 'format not recognised; pass --format',
      rowsRead: countDataRows(undefined, text),
    })
  }
  // A file that is not imported still reads its rows: the parser's count when it got through the file (a policy
  // rejection), else the file's data lines.
  const withRows = (r: RejectionReason): FileRejection =>
    r._tag === 'RejectedByPolicy' ? r : { ...r, rowsRead: countDataRows(format, text) }
  if (opts.timeframe !== undefined && format !== 'upstox-candles-json') {
    return E.left(
      withRows({
        _tag: 'TimeframeNotApplicable',
        line: 1,
        reason: `--timeframe is for upstox-candles-json files; this file is ${format}, whose timeframe is its own`,
      }),
    )
  }
  if (isTickFormat(format)) {
    const tickSizes = opts.tickSizes
    const ticks = parseTickRows(format, text, {
      policy: opts.policy,
      ...(opts.instrumentKey === undefined ? {} : { instrumentKey: opts.instrumentKey }),
      ...(tickSizes === undefined ? {} : { tickPaise: (key: string) => tickSizes.get(key) }),
      ...(opts.ticksToBars === undefined ? {} : { ticksToBars: opts.ticksToBars }),
    })
    return E.bimap(withRows, (t: TickFileRows): FileRows => ({ format, instruments: [], ...t }))(ticks)
  }
  const hint = symbolHintOf(path, format)
  const ctx: ParseContext = {
    symbolKeys: opts.symbolKeys,
    ...(opts.instrumentKey === undefined ? {} : { instrumentKey: opts.instrumentKey }),
    ...(hint === undefined ? {} : { symbolHint: hint }),
  }
  const parsed = parseAs(format, text, ctx, opts)
  if (E.isLeft(parsed)) return E.left(withRows(parsed.left))
  const p = parsed.right
  const inspection = inspectBars(p.bars, { tickPaise: tickFor(format, opts), calendar: opts.calendar })
  const outcome = applyPolicy(p.bars, inspection, opts.policy)
  if (E.isLeft(outcome)) return E.left({ ...outcome.left, rowsRead: p.rowsRead })
  return E.right({
    format,
    rowsRead: p.rowsRead,
    bars: outcome.right.bars,
    instruments: p.instruments,
    ticks: [],
    skipped: outcome.right.skipped,
    flagged: outcome.right.flagged,
    floatNoiseRoundings: p.floatNoiseRoundings,
    ignoredRows: p.ignoredRows,
    ticksNotInBars: null,
  })
}
