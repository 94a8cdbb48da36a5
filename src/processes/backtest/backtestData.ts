import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { MarketStore } from '../../adapters/marketStore/index.js'
import type { BacktestPlan, BarSource, DataSource } from './backtestPlan.js'

// Where a plan's market is read, checked before anything is written: every instrument must have data in the range,
// and when another process holds the store for writing, a run on bars reads its sealed Parquet days instead.

/** What `checkBacktestData` found: where the plan's market is read, and why when it is not where it was asked. */
export interface BacktestData {
  readonly dataSource: DataSource
  /** Set when the run reads the sealed days: for stderr (the store was held by a writer, and up to which date). */
  readonly warning?: string
}

/** The plan reading its bars where `checkBacktestData` found them (the store's sealed days, say). */
export const readingFrom = (p: BacktestPlan, d: BacktestData): BacktestPlan =>
  p.source.kind !== 'synthetic' && (d.dataSource === 'store' || d.dataSource === 'sealed')
    ? { ...p, source: { ...p.source, read: d.dataSource } }
    : p

type MarketStoreModule = typeof import('../../adapters/marketStore/index.js')

/** What the check reads: the store, or the reader of its sealed days; both give the coverage of bars and ticks. */
type Market = Pick<MarketStore, 'coverage' | 'tickCoverage' | 'close'>

/** The start of every refusal of a run whose store another process holds for writing. */
const heldBy = (path: string) =>
  `cannot read the market store ${path}: another process holds it for writing (an import, or the market-data node)`

/**
 * The store, or, when another process holds it for writing (and only then: any other failure to open it is reported
 * as it is), the reader of its sealed days: the bars', and for a run on ticks the ticks' too.
 */
const openForCheck = async (
  ms: MarketStoreModule,
  source: Exclude<BarSource, { kind: 'synthetic' }>,
  log: Logger,
  open: MarketStore | undefined,
): Promise<E.Either<string, { readonly market: Market; readonly dataSource: 'store' | 'sealed' }>> => {
  if (open !== undefined) return E.right({ market: open, dataSource: 'store' })
  const opened = await ms.openMarketStore(source.path, log.child({ component: 'market-store' }), { readOnly: true })
  if (E.isRight(opened)) return E.right({ market: opened.right, dataSource: 'store' })
  if (opened.left._tag !== 'StoreLocked') return E.left(ms.describeMarketStoreError(opened.left))
  const ticks = source.kind === 'ticks'
  const reader = await ms.openMarketReader(source.sealedDir, ticks ? { ticksDir: source.sealedTicksDir } : {})
  if (E.isRight(reader)) return E.right({ market: reader.right, dataSource: 'sealed' })
  const [nothing, dir, days] = ticks
    ? ['no ticks are sealed yet', source.sealedTicksDir, 'ticks']
    : ['nothing is sealed yet', source.sealedDir, 'days']
  return E.left(
    reader.left._tag === 'NothingSealed'
      ? `${heldBy(source.path)}, and ${nothing} to read instead (${dir}: ${reader.left.reason}): run this again when ` +
          `the writer is done, or once finished days are sealed (bahi data seal). DuckDB: ${opened.left.reason}`
      : `${heldBy(source.path)}, and its sealed ${days} cannot be read instead: ` +
          `${ms.describeMarketStoreError(reader.left)}. DuckDB: ${opened.left.reason}`,
  )
}

/**
 * Whether every instrument of a plan on the market store has data in its range: a refusal naming each one that has
 * none (with the range it does have), before anything is written. A run on the rest would quietly be a different
 * backtest from the one asked for. The synthetic market always has data. On bars, when another process holds the
 * store for writing, the sealed Parquet days are checked instead and the result says the run reads those
 * (`readingFrom`): a backtest of finished days need not wait for an import or the market-data node.
 */
export const checkBacktestData = async (
  p: BacktestPlan,
  log: Logger,
  /** The store, already open read-only (`openStoreOnce`); left open. */
  open?: MarketStore,
): Promise<E.Either<string, BacktestData>> => {
  if (p.source.kind === 'synthetic') return E.right({ dataSource: 'synthetic' })
  const ms = await import('../../adapters/marketStore/index.js')
  const sourceTimeframe = p.source.kind === 'store' && p.source.bars === 'stored' ? p.timeframe : '1m'
  const what =
    p.source.kind === 'ticks' ? 'ticks' : sourceTimeframe === '1m' ? '1-minute bars' : `stored ${p.timeframe} bars`
  const ranges = new Map<string, { fromDate: string; toDate: string }>()
  /** Bars stored under the run's own timeframe, when the run resamples: named in the refusal as the way out. */
  const stored = new Map<string, { fromDate: string; toDate: string }>()
  /** The sealed days' directory, when they are read instead of a store that another process holds for writing. */
  let sealedDir: string | undefined
  const opened = await openForCheck(ms, p.source, log, open)
  if (E.isLeft(opened)) return opened
  // What the check opened it closes; the caller's store (`open`) stays open for the run.
  const { market } = opened.right
  const instrumentKeys = p.instruments.map((i) => i.instrumentKey)
  if (p.source.kind === 'ticks') {
    if (opened.right.dataSource === 'sealed') sealedDir = p.source.sealedTicksDir
    const rows = await market.tickCoverage({ instrumentKeys })
    if (market !== open) market.close()
    if (E.isLeft(rows)) return E.left(ms.describeMarketStoreError(rows.left))
    for (const r of rows.right) ranges.set(r.instrumentKey, r)
  } else {
    if (opened.right.dataSource === 'sealed') sealedDir = p.source.sealedDir
    const rows = await market.coverage({ instrumentKeys })
    if (market !== open) market.close()
    if (E.isLeft(rows)) return E.left(ms.describeMarketStoreError(rows.left))
    for (const r of rows.right) if (r.timeframe === sourceTimeframe) ranges.set(r.instrumentKey, r)
    for (const r of rows.right)
      if (r.timeframe === p.timeframe && p.timeframe !== sourceTimeframe) stored.set(r.instrumentKey, r)
  }
  const where = sealedDir === undefined ? 'the store' : 'the sealed days'
  const problems = p.instruments.flatMap((i) => {
    const r = ranges.get(i.instrumentKey)
    const name = `${i.symbol} (${i.instrumentKey})`
    if (r === undefined) return [`${name} has no ${what} in ${where}`]
    if (r.toDate < p.from || r.fromDate > p.to)
      return [
        `${name} has ${what} only from ${r.fromDate} to ${r.toDate}${sealedDir === undefined ? '' : ` in ${where}`}`,
      ]
    return []
  })
  if (problems.length === 0) {
    if (sealedDir === undefined) return E.right({ dataSource: 'store' })
    // Every instrument has sealed bars in the range here; the run reads up to the latest of their last days.
    const last =
      p.instruments
        .map((i) => ranges.get(i.instrumentKey)?.toDate ?? '')
        .sort()
        .at(-1) ?? ''
    log.info(
      { store: p.source.path, sealed: sealedDir, lastSealedDate: last },
      'store held by a writer: reading sealed days',
    )
    return E.right({
      dataSource: 'sealed',
      warning:
        `the market store ${p.source.path} is held by another process for writing (an import, or the market-data ` +
        `node): reading the sealed days in ${sealedDir} instead, up to the last sealed date, ${last}` +
        (last < p.to ? ` (${p.to} asked for: the days after ${last} are not in this run)` : ''),
    })
  }
  const hint = p.instruments.some((i) => stored.has(i.instrumentKey))
    ? `; ${where} has ${p.timeframe} bars of their own for ${p.instruments
        .filter((i) => stored.has(i.instrumentKey))
        .map((i) => `${i.symbol} (${stored.get(i.instrumentKey)!.fromDate} to ${stored.get(i.instrumentKey)!.toDate})`)
        .join(', ')}: --bar-source stored reads those`
    : ''
  const see =
    sealedDir === undefined
      ? 'see bahi data coverage'
      : 'another process holds the store for writing, so only its sealed days were read (see bahi data seal)'
  return E.left(`no ${what} between ${p.from} and ${p.to} for: ${problems.join('; ')}${hint} (${see})`)
}
