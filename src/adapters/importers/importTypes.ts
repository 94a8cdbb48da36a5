import type { BarFlagName, BarRow, InstrumentRow } from '../marketStore/index.js'
import { TICK_FILE_FORMATS, type TickFileFormat } from '../tickFiles/index.js'

// What a parser returns: rows (each with its source line), the problems it saw on rows that did parse, and
// counters. A parser never reads files and never throws; a line it cannot read rejects the whole file.

export type ImportFormat =
  | 'equity-1min-csv'
  | 'daily-csv'
  | 'index-1min-txt'
  | 'yfinance-csv'
  | 'upstox-candles-json'
  | 'upstox-instruments-json'
  | 'eod-csv'
  | 'generic-csv'
  | TickFileFormat

export const IMPORT_FORMATS: readonly ImportFormat[] = [
  'equity-1min-csv',
  'daily-csv',
  'index-1min-txt',
  'yfinance-csv',
  'upstox-candles-json',
  'upstox-instruments-json',
  'eod-csv',
  'generic-csv',
  ...TICK_FILE_FORMATS,
]

/** True for the formats that hold ticks, not bars (see tickRows.ts). */
export const isTickFormat = (f: ImportFormat): f is TickFileFormat =>
  (TICK_FILE_FORMATS as readonly string[]).includes(f)

export interface LineBar extends BarRow {
  /** 1-based line in the source text (for JSON: the candle's index + 1). */
  readonly line: number
}

/**
 * A row that parsed but looks wrong, or (tick files only) a line that could not be read; the policy decides what
 * happens to it.
 */
export type IssueKind = BarFlagName | 'unreadable'

export interface RowIssue {
  readonly line: number
  readonly kind: IssueKind
  readonly detail: string
}

export interface ParsedFile {
  readonly format: ImportFormat
  /** Data rows read (header lines not counted). */
  readonly rowsRead: number
  readonly bars: readonly LineBar[]
  readonly instruments: readonly InstrumentRow[]
  readonly issues: readonly RowIssue[]
  /** Price values that carried digits below the paisa and were rounded to the nearest paisa. */
  readonly floatNoiseRoundings: number
  /** Rows the format defines as not data (e.g. header repeats); counted, not imported. */
  readonly ignoredRows: number
}

/** A file that cannot be parsed: rejected whole, naming the line and the reason. */
export interface ParseFailure {
  readonly _tag: 'FileUnparseable'
  readonly line: number
  readonly reason: string
}

export const parseFailure = (line: number, reason: string): ParseFailure => ({ _tag: 'FileUnparseable', line, reason })
