import * as E from 'fp-ts/lib/Either.js'
import type { InstrumentKey } from '../../domain/ids/index.js'
import { parseDhanFuturesTicksCsv } from './dhanFuturesTicksCsv.js'
import { parseKiteFuturesTicksCsv } from './kiteFuturesTicksCsv.js'
import { parseNiftyIndex1sCsv } from './niftyIndex1sCsv.js'
import type { ParsedTicks, TickFileFormat, TickFileUnreadable } from './tickFileTypes.js'

// Picks the parser by the file's first line when no format is given.

const INDEX_1S_LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},[\d.]+\s*$/

/** The format a text's first line announces, or undefined. */
export const detectTickFileFormat = (text: string): TickFileFormat | undefined => {
  const nl = text.indexOf('\n')
  const first = (nl < 0 ? text : text.slice(0, nl)).replace(/^\uFEFF/, '').replace(/\r$/, '')
  if (first.startsWith('time,instrument_token,')) return 'kite-futures-ticks'
  if (first.startsWith('time,type,ltp,')) return 'dhan-futures-ticks'
  if (INDEX_1S_LINE.test(first)) return 'nifty-index-1s'
  return undefined
}

export interface ParseTickFileOptions {
  readonly format?: TickFileFormat
  readonly instrumentKey?: InstrumentKey
}

export const parseTickFile = (
  text: string,
  options: ParseTickFileOptions = {},
): E.Either<TickFileUnreadable, ParsedTicks> => {
  const format = options.format ?? detectTickFileFormat(text)
  const keyOpt = options.instrumentKey === undefined ? {} : { instrumentKey: options.instrumentKey }
  switch (format) {
    case 'nifty-index-1s':
      return E.right(parseNiftyIndex1sCsv(text, keyOpt))
    case 'kite-futures-ticks':
      return parseKiteFuturesTicksCsv(text, keyOpt)
    case 'dhan-futures-ticks':
      return parseDhanFuturesTicksCsv(text, keyOpt)
    case undefined:
      return E.left({
        _tag: 'TickFileUnreadable',
        line: 1,
        reason: 'unknown tick file format (first line not recognised)',
      })
  }
}
