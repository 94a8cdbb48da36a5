import * as E from 'fp-ts/lib/Either.js'
import type { InstrumentKey } from '../../domain/ids/index.js'
import type { Paise, PricePaise } from '../../domain/money/index.js'
import { columnIndex } from './headerColumns.js'
import { linesOf, parseCount, parsePaiseText, parseStamp } from './tickFields.js'
import {
  type LineProblem,
  NIFTY25DECFUT_KEY,
  type ParsedTicks,
  type TickDraft,
  type TickFileUnreadable,
} from './tickFileTypes.js'

// `futures-ticks-2025-12-29/dhan_nifty_futures_ticks.csv`: Dhan feed packets with a header. `time` is IST wall
// clock WITHOUT an offset, with microseconds (truncated to ms here). Prices are float32 renderings
// (`25974.900390625`): rounded to the nearest paisa and counted. Only `full` packets are ticks; `oi` packets (open
// interest only) are skipped and counted. The file records no last-trade time, so `lttMs` is the packet's `time`
// (receive time): the only time there is; bars built from it are by receive time, which the cross-feed check
// measures. The file names no instrument: the key defaults to NIFTY25DECFUT_KEY (see tickFileTypes.ts).

const REQUIRED = [
  'time',
  'type',
  'ltp',
  'volume',
  'oi',
  'ltq',
  'bid_price_1',
  'bid_qty_1',
  'ask_price_1',
  'ask_qty_1',
] as const

export interface DhanTicksOptions {
  readonly instrumentKey?: InstrumentKey
}

export const parseDhanFuturesTicksCsv = (
  text: string,
  options: DhanTicksOptions = {},
): E.Either<TickFileUnreadable, ParsedTicks> => {
  const instrumentKey = options.instrumentKey ?? NIFTY25DECFUT_KEY
  const lines = linesOf(text)
  const header = columnIndex(lines[0], REQUIRED)
  if (E.isLeft(header)) return header
  const c = header.right
  const ticks: TickDraft[] = []
  const lineNos: number[] = []
  const rejections: LineProblem[] = []
  const skipped: LineProblem[] = []
  let rowsRead = 0
  let pricesRounded = 0
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line.trim() === '') continue
    rowsRead++
    const f = line.split(',')
    const reject = (reason: string) => rejections.push({ line: i + 1, reason })
    const at = (k: (typeof REQUIRED)[number]) => f[c[k]] ?? ''
    const kind = at('type').trim()
    if (kind !== 'full') {
      skipped.push({
        line: i + 1,
        reason: kind === 'oi' ? 'open-interest packet (no trade fields)' : `packet type "${kind}"`,
      })
      continue
    }
    const ts = parseStamp(at('time'), 'IST', 'none')
    if (ts === undefined) {
      reject(`invalid naive IST time "${at('time')}"`)
      continue
    }
    const ltp = parsePaiseText(at('ltp'))
    if (ltp === undefined || ltp.paise <= 0) {
      reject(`invalid ltp "${at('ltp')}"`)
      continue
    }
    const volume = parseCount(at('volume'))
    const ltq = parseCount(at('ltq'))
    const oi = parseCount(at('oi'))
    if (volume === undefined || ltq === undefined || oi === undefined) {
      reject('volume, ltq and oi must be whole numbers')
      continue
    }
    if (ltp.rounded) pricesRounded++
    const bid = parsePaiseText(at('bid_price_1'))
    const ask = parsePaiseText(at('ask_price_1'))
    const bidQty = parseCount(at('bid_qty_1'))
    const askQty = parseCount(at('ask_qty_1'))
    const payload: TickDraft['payload'] & { -readonly [K in 'bidPaise' | 'askPaise' | 'bidQty' | 'askQty']?: number } =
      {
        instrumentKey,
        ltpPaise: ltp.paise as PricePaise,
        lttMs: ts,
        ltq,
        volume,
        oi,
      }
    if (bid !== undefined && bid.paise > 0 && bidQty !== undefined) {
      if (bid.rounded) pricesRounded++
      payload.bidPaise = bid.paise as Paise
      payload.bidQty = bidQty
    }
    if (ask !== undefined && ask.paise > 0 && askQty !== undefined) {
      if (ask.rounded) pricesRounded++
      payload.askPaise = ask.paise as Paise
      payload.askQty = askQty
    }
    ticks.push({ type: 'TickReceived', ts, payload })
    lineNos.push(i + 1)
  }
  return E.right({ format: 'dhan-futures-ticks', rowsRead, ticks, lines: lineNos, rejections, skipped, pricesRounded })
}
