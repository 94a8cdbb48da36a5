import { basename, dirname, extname } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { TradingCalendar } from '../../domain/calendar/index.js'
import { DEFAULT_TICK_PAISE } from '../../domain/money/index.js'
import type { BarRow, InstrumentRow } from '../marketStore/index.js'
import { applyPolicy, type RowPolicy } from './applyPolicy.js'
import { DAILY_HEADER, parseDailyCsv } from './dailyCsv.js'
import { EQUITY_1MIN_HEADER, parseEquity1minCsv } from './equity1minCsv.js'
import { type ColumnMapping, parseGenericCsv } from './genericCsv.js'
import type { ImportFormat, ParsedFile, RowIssue } from './importTypes.js'
import { parseIndex1minTxt } from './index1minTxt.js'
import { inspectBars } from './inspectBars.js'
import type { ParseContext } from './parseContext.js'
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
  /** Tick for the off-tick check; default 0.05 INR for equities, none for indices. */
  readonly tickPaise?: number
}

export type FileRejection =
  | { readonly _tag: 'FileUnparseable'; readonly line: number; readonly reason: string }
  | {
      readonly _tag: 'RejectedByPolicy'
      readonly line: number
      readonly reason: string
      readonly issues: readonly RowIssue[]
    }
  | { readonly _tag: 'UnknownFormat'; readonly line: number; readonly reason: string }

export interface FileRows {
  readonly format: ImportFormat
  readonly rowsRead: number
  readonly bars: readonly BarRow[]
  readonly instruments: readonly InstrumentRow[]
  readonly skipped: readonly RowIssue[]
  readonly flagged: readonly RowIssue[]
  readonly floatNoiseRoundings: number
  readonly ignoredRows: number
}

const INDEX_ROW = /^[A-Z][A-Z0-9&-]*,\d{8},\d{2}:\d{2},/

/** The format of a file from its content (and extension); undefined when nothing matches. */
export const detectFormat = (fileName: string, text: string): ImportFormat | undefined => {
  const head = text.slice(0, 512).replace(/^\uFEFF/, '')
  const first = head.split(/\r?\n/)[0] ?? ''
  if (first === EQUITY_1MIN_HEADER) return 'equity-1min-csv'
  if (first === DAILY_HEADER) return 'daily-csv'
  if (first.startsWith('Price,')) return 'yfinance-csv'
  if (INDEX_ROW.test(first)) return 'index-1min-txt'
  const trimmed = head.trimStart()
  if (extname(fileName).toLowerCase() === '.json' || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    if (trimmed.startsWith('[')) return 'upstox-instruments-json'
    if (trimmed.startsWith('{')) return 'upstox-candles-json'
  }
  return undefined
}

/** The symbol a file's path suggests: the folder of the equity 1-minute set, the name prefix of the daily set. */
export const symbolHintOf = (path: string, format: ImportFormat): string | undefined => {
  switch (format) {
    case 'equity-1min-csv':
      return basename(dirname(path))
    case 'daily-csv':
      return basename(path).split('_')[0]
    case 'generic-csv':
      return basename(path, extname(path))
    default:
      return undefined
  }
}

const parseAs = (format: ImportFormat, text: string, ctx: ParseContext, opts: ParseFileOptions) => {
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
      return parseUpstoxCandlesJson(text, ctx)
    case 'upstox-instruments-json':
      return parseUpstoxInstrumentsJson(text)
    case 'generic-csv':
      return parseGenericCsv(text, ctx, opts.mapping)
  }
}

const tickFor = (format: ImportFormat, parsed: ParsedFile, opts: ParseFileOptions): number | undefined => {
  if (opts.tickPaise !== undefined) return opts.tickPaise
  if (format === 'index-1min-txt' || format === 'yfinance-csv') return undefined
  const key = parsed.bars[0]?.instrumentKey ?? ''
  return key.startsWith('NSE_INDEX|') || key.startsWith('BSE_INDEX|') ? undefined : DEFAULT_TICK_PAISE
}

export const parseMarketFile = (
  path: string,
  text: string,
  opts: ParseFileOptions,
): E.Either<FileRejection, FileRows> => {
  const format = opts.format ?? detectFormat(path, text)
  if (format === undefined) {
    return E.left({ _tag: 'UnknownFormat', line: 1, reason: 'format not recognised; pass --format' })
  }
  const hint = symbolHintOf(path, format)
  const ctx: ParseContext = {
    symbolKeys: opts.symbolKeys,
    ...(opts.instrumentKey === undefined ? {} : { instrumentKey: opts.instrumentKey }),
    ...(hint === undefined ? {} : { symbolHint: hint }),
  }
  const parsed = parseAs(format, text, ctx, opts)
  if (E.isLeft(parsed)) return parsed
  const p = parsed.right
  const inspection = inspectBars(p.bars, { tickPaise: tickFor(format, p, opts), calendar: opts.calendar })
  const outcome = applyPolicy(p.bars, inspection, opts.policy)
  if (E.isLeft(outcome)) return outcome
  return E.right({
    format,
    rowsRead: p.rowsRead,
    bars: outcome.right.bars,
    instruments: p.instruments,
    skipped: outcome.right.skipped,
    flagged: outcome.right.flagged,
    floatNoiseRoundings: p.floatNoiseRoundings,
    ignoredRows: p.ignoredRows,
  })
}
