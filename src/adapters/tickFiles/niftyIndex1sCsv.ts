import type { InstrumentKey } from '../../domain/ids/index.js'
import { type PricePaise, parsePaise } from '../../domain/money/index.js'
import { linesOf, parseStamp } from './tickFields.js'
import { type LineProblem, NIFTY_50_KEY, type ParsedTicks, type TickDraft } from './tickFileTypes.js'

// `index-1s-2022-11/<YYYY-MM-DD>.csv`: NSE's per-second NIFTY 50 values, no header, `YYYY-MM-DD HH:MM:SS,value`,
// IST wall clock without an offset. Each value is the index's last value in that second: it becomes a tick with
// `lttMs` = that second, no volume (an index has none) and `ltq` 0. Pre-open and post-close rows are kept: the
// aggregator's session rule decides what they mean.

export interface NiftyIndex1sOptions {
  readonly instrumentKey?: InstrumentKey
}

export const parseNiftyIndex1sCsv = (text: string, options: NiftyIndex1sOptions = {}): ParsedTicks => {
  const instrumentKey = options.instrumentKey ?? NIFTY_50_KEY
  const ticks: TickDraft[] = []
  const lineNos: number[] = []
  const rejections: LineProblem[] = []
  let rowsRead = 0
  let pricesRounded = 0
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line.trim() === '') continue
    rowsRead++
    const comma = line.indexOf(',')
    if (comma < 0 || line.indexOf(',', comma + 1) >= 0) {
      rejections.push({ line: i + 1, reason: 'expected 2 fields "YYYY-MM-DD HH:MM:SS,value"' })
      continue
    }
    const ts = parseStamp(line.slice(0, comma), 'IST', 'none')
    if (ts === undefined) {
      rejections.push({ line: i + 1, reason: `invalid IST timestamp "${line.slice(0, comma)}"` })
      continue
    }
    const px = parsePaise(line.slice(comma + 1))
    if (px === undefined || px.paise <= 0) {
      rejections.push({ line: i + 1, reason: `invalid value "${line.slice(comma + 1)}"` })
      continue
    }
    if (px.rounded) pricesRounded++
    ticks.push({
      type: 'TickReceived',
      ts,
      payload: { instrumentKey, ltpPaise: px.paise as PricePaise, lttMs: ts, ltq: 0 },
    })
    lineNos.push(i + 1)
  }
  return { format: 'nifty-index-1s', rowsRead, ticks, lines: lineNos, rejections, skipped: [], pricesRounded }
}
