import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { describeCalendarLoadError, loadCalendar } from '../../../adapters/calendar/index.js'
import { parseMarketFile } from '../../../adapters/importers/index.js'
import { describeMarketStoreError, openMarketStore } from '../../../adapters/marketStore/index.js'
import {
  createUpstoxBroker,
  describeBrokerError,
  describeUpstoxConfigError,
  fetchHistory,
  HISTORY_INTERVALS,
  loadUpstoxConfig,
  noToken,
} from '../../../adapters/upstox/index.js'
import { InstrumentKey } from '../../../domain/ids/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'
import { marketStorePath } from '../home.js'

// `bahi fetch-history --instrument KEY --from D --to D --interval 1minute|...`: pages through Upstox's v3 historical
// candles for the range (one request per chunk the API allows, within the rate limits) and imports them into the
// market store through the Upstox candle importer, with its checks (policy `skip`: suspicious rows are listed).

export interface FetchHistoryOptions {
  readonly home: string
  readonly json: boolean
  readonly instrument?: string
  readonly from?: string
  readonly to?: string
  readonly interval?: string
}

export const fetchHistoryCommand = async (
  o: FetchHistoryOptions,
  io: CliIo,
  log: Logger,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ExitCode> => {
  const fail = (msg: string, code: ExitCode = 2): ExitCode => {
    io.err(`bahi fetch-history: ${msg}`)
    return code
  }
  if (o.instrument === undefined || !InstrumentKey.is(o.instrument))
    return fail(`--instrument must be an instrument key (e.g. NSE_EQ|INE002A01018), got "${o.instrument ?? ''}"`)
  if (o.from === undefined || o.to === undefined) return fail('--from and --to (YYYY-MM-DD) are required')
  const interval = o.interval === undefined ? HISTORY_INTERVALS['1minute'] : HISTORY_INTERVALS[o.interval]
  if (interval === undefined)
    return fail(`--interval must be one of ${Object.keys(HISTORY_INTERVALS).join(', ')}, got "${o.interval}"`)
  const config = loadUpstoxConfig(o.home, env)
  if (E.isLeft(config)) return fail(describeUpstoxConfigError(config.left))
  const calendar = loadCalendar()
  if (E.isLeft(calendar)) return fail(describeCalendarLoadError(calendar.left))
  const broker = createUpstoxBroker({
    config: config.right,
    log,
    nowMs: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    token: noToken,
  })
  const fetched = await fetchHistory(
    broker.rest,
    { instrumentKey: o.instrument, from: o.from, to: o.to, interval },
    (chunk, n) => io.err(`fetch-history: ${chunk.from}..${chunk.to}: ${n} candles`),
  )()
  if (E.isLeft(fetched))
    return fail(describeBrokerError(fetched.left), fetched.left._tag === 'BrokerRequestInvalid' ? 2 : 1)
  const { candles, requests } = fetched.right
  // Through the importer, which converts, checks and reports exactly as `bahi import` does for a saved file.
  const text = JSON.stringify({ status: 'success', data: { candles: [...candles].reverse() } })
  const rows = parseMarketFile('upstox-candles.json', text, {
    format: 'upstox-candles-json',
    instrumentKey: o.instrument,
    policy: 'skip',
    symbolKeys: new Map(),
    calendar: calendar.right,
  })
  if (E.isLeft(rows)) return fail(`candle ${rows.left.line}: ${rows.left.reason}`, 1)
  const wrongTimeframe = rows.right.bars.find((b) => b.timeframe !== interval.timeframe)
  if (wrongTimeframe !== undefined)
    return fail(
      `the candles are spaced as ${wrongTimeframe.timeframe} bars, not ${interval.timeframe}: fetch a longer range`,
      1,
    )
  const storePath = marketStorePath(o.home)
  const opened = await openMarketStore(storePath, log.child({ component: 'marketStore' }))
  if (E.isLeft(opened)) return fail(describeMarketStoreError(opened.left))
  try {
    const written = await opened.right.write({ bars: rows.right.bars })
    if (E.isLeft(written)) return fail(describeMarketStoreError(written.left), 1)
    const w = written.right
    // History fetched for an earlier range than the stored lands before it: put the bars back in stream order, as an
    // import does at its end (marketStore's barOrder.ts). A failure loses nothing: streams sort until a writer orders.
    const ordered = await opened.right.orderBars()
    if (E.isLeft(ordered)) log.warn({ reason: describeMarketStoreError(ordered.left) }, 'bars left out of stream order')
    const summary = {
      store: storePath,
      instrument: o.instrument,
      interval: interval.name,
      timeframe: interval.timeframe,
      from: o.from,
      to: o.to,
      requests,
      candles: candles.length,
      imported: w.barsInserted,
      unchanged: w.barsUnchanged,
      conflicting: w.barsConflicting,
      skipped: rows.right.skipped.length,
      flagged: rows.right.flagged.length,
    }
    printResult(io, o.json, summary, [
      `fetched ${candles.length} ${interval.name} candles of ${o.instrument} (${o.from}..${o.to}) in ${requests} requests`,
      `stored in ${storePath}: ${w.barsInserted} new, ${w.barsUnchanged} already stored, ${w.barsConflicting} conflicting (kept as stored), ${summary.skipped} left out`,
    ])
    return 0
  } finally {
    opened.right.close()
  }
}
