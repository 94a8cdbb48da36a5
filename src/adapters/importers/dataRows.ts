import { type ImportFormat, isTickFormat } from './importTypes.js'

// How many data rows a file holds, for a file that was rejected before its parser counted them (it stopped at the
// first line it could not read). The parsers count data rows only (no header lines, no blank lines), so a file
// reads the same number of rows whether it is imported or rejected; `rowsRead` of a rejected file is this count.

const isBlank = (text: string, start: number, end: number): boolean => {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c !== 32 && c !== 9 && c !== 13) return false
  }
  return true
}

/** Header lines before the data, per line format; undefined for the JSON formats (counted by their elements). */
const headerLines = (format: ImportFormat): number | undefined => {
  if (isTickFormat(format)) return format === 'nifty-index-1s' ? 0 : 1
  switch (format) {
    case 'equity-1min-csv':
    case 'daily-csv':
    case 'eod-csv':
    case 'generic-csv':
      return 1
    case 'yfinance-csv':
      return 3
    case 'index-1min-txt':
      return 0
    case 'upstox-candles-json':
    case 'upstox-instruments-json':
      return undefined
    default: {
      const never: never = format
      return never
    }
  }
}

const jsonRows = (format: ImportFormat, text: string): number => {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return 0
  }
  if (format === 'upstox-instruments-json') return Array.isArray(doc) ? doc.length : 0
  const data = typeof doc === 'object' && doc !== null ? (doc as { data?: unknown }).data : undefined
  const candles = typeof data === 'object' && data !== null ? (data as { candles?: unknown }).candles : undefined
  return Array.isArray(candles) ? candles.length : 0
}

/**
 * The data rows of `text` in `format`: its non-blank lines after the format's header lines, or a JSON file's
 * instruments or candles. A file of no known format counts its non-blank lines, less a first line with no digit in
 * it (a header, as far as anyone can tell without the format).
 */
export const countDataRows = (format: ImportFormat | undefined, text: string): number => {
  if (format !== undefined && headerLines(format) === undefined) return jsonRows(format, text)
  let lines = 0
  let firstHasDigit = false
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0
  while (start < text.length) {
    const nl = text.indexOf('\n', start)
    const end = nl < 0 ? text.length : nl
    if (!isBlank(text, start, end)) {
      if (lines === 0) firstHasDigit = /\d/.test(text.slice(start, end))
      lines++
    }
    start = end + 1
  }
  const header = format === undefined ? (lines > 0 && !firstHasDigit ? 1 : 0) : (headerLines(format) ?? 0)
  return Math.max(0, lines - header)
}
