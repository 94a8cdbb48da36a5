import { rmSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { describeCalendarLoadError, loadCalendar } from '../../adapters/calendar/index.js'
import type { MarketBarSource, MarketStore, MarketStoreError } from '../../adapters/marketStore/index.js'
import { writeReport } from '../../adapters/report/index.js'
import { syntheticBars } from '../../adapters/synthetic/index.js'
import type { TradingCalendar } from '../../domain/calendar/index.js'
import { type BarClosed, type EventDraft, instrumentSymbolsOf, type Timeframe } from '../../domain/events/index.js'
import { istInstant } from '../../domain/time/index.js'
import { createBarAggregator, type Engine, type PerformanceMetrics, resampleBars } from '../../projections/index.js'
import { type BacktestOutcome, type BacktestPlan, dataSourceOf } from './backtestPlan.js'
import { reportBuilder } from './buildReport.js'
import { type MarketChunks, runBacktest } from './runBacktest.js'
import { byTimeThenKey, ticksWithBars } from './tickReplay.js'

// Running a plan: the market source opened (the synthetic market, the store's bars or ticks, or its sealed days),
// the run stepped into `<out>/journal`, and the report folded from that journal.

/** Each day of 1-minute bars resampled (sessions do not share buckets), in time order across instruments. */
function* resampleDays(
  days: Iterable<readonly EventDraft<BarClosed>[]>,
  tf: Timeframe,
  calendar: TradingCalendar,
): Generator<readonly EventDraft<BarClosed>[]> {
  for (const day of days) {
    const r = resampleBars(
      day.map((b) => b.payload),
      tf,
      calendar.sessionOn,
    )
    // 1m divides every other timeframe, so resampling cannot be refused here: a refusal is a bug.
    if (E.isLeft(r)) throw new Error(`resampling 1m to ${tf}: ${r.left.reason}`)
    yield [...r.right.bars].sort(byTimeThenKey)
  }
}

/** Runs a plan: the journal in `<out>/journal`, the report in `<out>/report.{json,html}`. */
export const executeBacktest = async (
  p: BacktestPlan,
  engine: () => Engine,
  codeVersion: string,
  log: Logger,
  /** Market events stepped so far: bars, and ticks in a run on ticks. */
  onProgress?: (events: number, lastTs: number) => void,
  /** The store, already open read-only (`openStoreOnce`): read from it when the plan reads the store; the caller closes it. */
  open?: MarketStore,
): Promise<E.Either<string, BacktestOutcome>> => {
  const calendar = loadCalendar()
  if (E.isLeft(calendar)) return E.left(describeCalendarLoadError(calendar.left))
  const journal = join(p.out, 'journal')
  let market: MarketChunks
  /** What the run reads from, closed after the run. */
  let held: { readonly close: () => void } | undefined
  // Opening a store's stream starts its query (a scan of the bars the store keeps in stream order, or the sort of those
  // it does not, before which DuckDB hands over no row): part of the run's time, so part of its bars/s.
  let openSeconds = 0
  if (p.source.kind === 'synthetic') {
    const days = syntheticBars({
      calendar: calendar.right,
      instruments: p.source.instruments,
      from: p.from,
      days: p.days,
      seed: p.seed,
    })
    market = p.timeframe === '1m' ? days : resampleDays(days, p.timeframe, calendar.right)
  } else {
    // Loaded here, not at the top: a synthetic backtest (the demo) never loads DuckDB.
    const { describeMarketStoreError, openMarketReader, openMarketStore } = await import(
      '../../adapters/marketStore/index.js'
    )
    const toMs = istInstant(p.to, '00:00')! + 86_400_000
    const instrumentKeys = p.instruments.map((i) => i.instrumentKey)
    if (p.source.kind === 'ticks') {
      // As for bars: the store, or its sealed ticks where checkBacktestData found them.
      const opened =
        p.source.read === 'sealed'
          ? await openMarketReader(p.source.sealedDir, { ticksDir: p.source.sealedTicksDir })
          : open !== undefined
            ? E.right(open)
            : await openMarketStore(p.source.path, log.child({ component: 'market-store' }), { readOnly: true })
      if (E.isLeft(opened)) return E.left(describeMarketStoreError(opened.left))
      const store = opened.right
      if (store !== open) held = store
      const opening = performance.now()
      const ticks = await store.streamTicks({ instrumentKeys, fromMs: p.startedMs, toMs })
      if (E.isLeft(ticks)) {
        held?.close()
        return E.left(describeMarketStoreError(ticks.left))
      }
      const aggregator = createBarAggregator({ sessionOn: calendar.right.sessionOn, timeframes: [p.timeframe] })
      market = ticksWithBars(ticks.right, aggregator, toMs)
      openSeconds = (performance.now() - opening) / 1000
    } else {
      // Where checkBacktestData found the bars; not chosen again here, so every run of a sweep reads the same rows. A
      // writer that takes the store between the check and the run gets this run refused with the store's message.
      const opened: E.Either<MarketStoreError, MarketBarSource> =
        p.source.read === 'sealed'
          ? await openMarketReader(p.source.sealedDir)
          : open !== undefined
            ? E.right(open)
            : await openMarketStore(p.source.path, log.child({ component: 'market-store' }), { readOnly: true })
      if (E.isLeft(opened)) return E.left(describeMarketStoreError(opened.left))
      const bars = opened.right
      if (bars !== open) held = bars
      const opening = performance.now()
      const stream = await bars.streamBarBatches({
        instrumentKeys,
        timeframe: p.timeframe,
        source: p.source.bars,
        fromMs: p.startedMs,
        toMs,
      })
      if (E.isLeft(stream)) {
        held?.close()
        return E.left(describeMarketStoreError(stream.left))
      }
      market = stream.right
      openSeconds = (performance.now() - opening) / 1000
    }
  }
  // The report folds as the run steps: reading the journal back would cost more than the run's own steps.
  const report = reportBuilder()
  const instrumentSymbols = instrumentSymbolsOf(p.instruments)
  const ran = await runBacktest(
    {
      runId: p.runId,
      journalDir: journal,
      startedMs: p.startedMs,
      seed: p.seed,
      capitalPaise: p.capitalPaise,
      strategy: p.strategy,
      instruments: p.instruments.map((i) => i.instrumentKey),
      ...(instrumentSymbols === undefined ? {} : { instrumentSymbols }),
      simulator: p.simulator,
      limits: p.limits,
      data: { source: p.source.kind, from: p.from, to: p.to, days: p.days, seed: p.seed, instruments: p.instruments },
      codeVersion,
    },
    engine(),
    market,
    log,
    onProgress,
    report.observe,
  )
  held?.close()
  const dataSource = dataSourceOf(p.source)
  if (E.isRight(ran) && ran.right.bars + ran.right.ticks === 0) {
    // The journal holds only the run's configuration: removed, so the same --out can be used again.
    rmSync(journal, { recursive: true, force: true })
    return E.left(
      `no ${p.source.kind === 'ticks' ? 'ticks' : 'bars'} for ${p.instruments.map((i) => i.symbol).join(', ')} between ${p.from} and ${p.to} in the ${dataSource === 'synthetic' ? 'data' : dataSource === 'sealed' ? "market store's sealed days" : 'market store (see bahi data coverage)'}`,
    )
  }
  if (E.isLeft(ran)) return ran
  const data = report.data(ran.right.state, p.title)
  const files = writeReport(p.out, data)
  if (E.isLeft(files)) return files
  const m = data.metrics as unknown as PerformanceMetrics
  return E.right({
    runId: p.runId,
    dataSource,
    journal,
    report: files.right,
    bars: ran.right.bars,
    ticks: ran.right.ticks,
    events: ran.right.events,
    closedTrades: m.closedTrades,
    deniedOrders: data.deniedOrders,
    netPnl: m.netPnl,
    fees: m.fees,
    barsPerSecond: Math.round(ran.right.bars / (openSeconds + ran.right.seconds)),
    ticksPerSecond: Math.round(ran.right.ticks / (openSeconds + ran.right.seconds)),
    metrics: m,
  })
}
