import * as E from 'fp-ts/lib/Either.js'
import type { InstrumentKey } from '../../domain/ids/index.js'
import { type FuturesTickColumns, futuresTick, futuresTickText } from './futuresTick.js'
import { columnIndex } from './headerColumns.js'
import { linesOf, parseStamp } from './tickFields.js'
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

const DHAN_COLUMNS: FuturesTickColumns<(typeof REQUIRED)[number]> = {
  ltp: 'ltp',
  volume: 'volume',
  ltq: 'ltq',
  oi: 'oi',
  bidPrice: 'bid_price_1',
  bidQty: 'bid_qty_1',
  askPrice: 'ask_price_1',
  askQty: 'ask_qty_1',
}

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
    const tick = futuresTick(instrumentKey, ts, ts, futuresTickText(at, DHAN_COLUMNS), DHAN_COLUMNS)
    if (typeof tick === 'string') {
      reject(tick)
      continue
    }
    pricesRounded += tick.rounded
    ticks.push(tick.draft)
    lineNos.push(i + 1)
  }
  return E.right({ format: 'dhan-futures-ticks', rowsRead, ticks, lines: lineNos, rejections, skipped, pricesRounded })
}
