import { createHash } from 'node:crypto'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { describeCalendarLoadError, loadCalendar } from '../../adapters/calendar/index.js'
import type { MarketBarSource, MarketStoreError } from '../../adapters/marketStore/index.js'
import { writeReport } from '../../adapters/report/index.js'
import {
  DEFAULT_SYNTHETIC_INSTRUMENTS,
  type SyntheticInstrument,
  syntheticBars,
} from '../../adapters/synthetic/index.js'
import type { TradingCalendar } from '../../domain/calendar/index.js'
import { chargesKnownFrom, UPSTOX_EQUITY_SCHEDULES } from '../../domain/charges/index.js'
import {
  type BarClosed,
  type EventDraft,
  ExitConfig,
  type SimulatorConfig,
  type StrategyParams,
  TIMEFRAMES,
  Timeframe,
} from '../../domain/events/index.js'
import { InstrumentKey } from '../../domain/ids/index.js'
import { inrToPaise } from '../../domain/money/index.js'
import { DEFAULT_RISK_LIMITS, decodeRiskLimits, type RiskLimits } from '../../domain/risk/index.js'
import { describeParamsErrors, type StrategyRegistry } from '../../domain/strategies/index.js'
import { istInstant } from '../../domain/time/index.js'
import { describeJournalError, openJournalReader } from '../../journal/index.js'
import {
  createBarAggregator,
  DEFAULT_SIMULATOR_CONFIG,
  type Engine,
  type PerformanceMetrics,
  resampleBars,
} from '../../projections/index.js'
import { buildReport } from './buildReport.js'
import { type MarketChunks, runBacktest } from './runBacktest.js'
import { byTimeThenKey, ticksWithBars } from './tickReplay.js'

// A backtest as a job: `planBacktest` checks a request and resolves it into a plan (plain data, so it can be sent
// to a worker thread), `executeBacktest` runs a plan: journal, report files, summary. The CLI's `backtest` and the
// workers of `sweep` both use them.

/** The exit flags as given (text), for `exitConfigOf`. */
export interface ExitFlags {
  readonly squareOff: string | undefined
  /** Percent of the entry price (stop loss, take profit) or of the best price since entry (trailing stop). */
  readonly stopLoss: string | undefined
  readonly takeProfit: string | undefined
  readonly trailingStop: string | undefined
}

export interface BacktestRequest extends ExitFlags {
  readonly strategy: string | undefined
  /** Already parsed JSON. */
  readonly params: unknown
  readonly instruments: string | undefined
  readonly from: string | undefined
  readonly to: string | undefined
  readonly fillModel: string | undefined
  readonly fees: string | undefined
  readonly slippageTicks: number
  /** Share of a bar's volume (a tick's quantity) that may fill per order per price; default no cap. */
  readonly participation: string | undefined
  /** Milliseconds from acceptance before an order can fill; default 0. */
  readonly latency: string | undefined
  /** Chance (0, 1] that a limit touched inside a bar fills, drawn from the run's seed; default 1. */
  readonly fillProbability: string | undefined
  /** `I` intraday (default) or `D` delivery: what the orders are, so what they are charged. */
  readonly product: string | undefined
  /** Already parsed JSON: `RiskLimits`, over a default order rate of 10/s. */
  readonly limits: unknown
  readonly capitalInr: number
  readonly seed: number
  readonly out: string
  /**
   * Where the market comes from: the market store's bars (`store`, default), its stored ticks with the bars the live
   * session's aggregator builds from them (`ticks`), or the seeded synthetic market (`synthetic`).
   */
  readonly data: string | undefined
  readonly storePath: string
  /** The store's sealed Parquet days (`bahi data seal`): read instead when another process holds the store. */
  readonly sealedPath: string
  /** The symbol -> instrument key table (data/instruments/nse-symbols.csv). */
  readonly symbolsPath: string
  /** Bar timeframe the strategy runs on (1-minute bars resampled, session-aligned); default 1m. */
  readonly timeframe: string | undefined
  /**
   * For a store's bars above 1m: `resample` the stored 1-minute bars (default), or read bars `stored` under the
   * timeframe itself (imported daily bars, say).
   */
  readonly barSource: string | undefined
}

export type BarSource =
  | { readonly kind: 'synthetic'; readonly instruments: readonly SyntheticInstrument[] }
  | {
      readonly kind: 'store'
      readonly path: string
      readonly sealedDir: string
      readonly bars: 'stored' | 'resample'
      /**
       * The DuckDB file (`store`), or its sealed Parquet days (`sealed`) when another process holds the file for
       * writing: chosen once by `checkBacktestData`, so every run of a sweep reads the same rows.
       */
      readonly read: 'store' | 'sealed'
    }
  | { readonly kind: 'ticks'; readonly path: string }

/** What a run read its market from: the summaries say it (the journal does not: the rows are the same). */
export type DataSource = 'store' | 'sealed' | 'synthetic'

export const dataSourceOf = (s: BarSource): DataSource => {
  switch (s.kind) {
    case 'synthetic':
      return 'synthetic'
    case 'store':
      return s.read
    case 'ticks':
      return 'store'
    default: {
      const never: never = s
      throw new Error(`unhandled bar source ${JSON.stringify(never)}`)
    }
  }
}

export interface BacktestPlan {
  readonly runId: string
  readonly out: string
  readonly title: string
  readonly strategy: {
    readonly kind: string
    readonly params: StrategyParams
    readonly exits: ExitConfig
    readonly product?: 'D'
  }
  readonly instruments: readonly { readonly symbol: string; readonly instrumentKey: InstrumentKey }[]
  readonly source: BarSource
  readonly timeframe: Timeframe
  readonly from: string
  readonly to: string
  readonly days: number
  readonly startedMs: number
  readonly seed: number
  readonly capitalPaise: number
  readonly simulator: SimulatorConfig
  readonly limits: RiskLimits
}

export interface BacktestOutcome {
  readonly runId: string
  readonly dataSource: DataSource
  readonly journal: string
  readonly report: { readonly json: string; readonly html: string }
  readonly bars: number
  /** Ticks stepped: 0 unless the run is on stored ticks (`--data ticks`). */
  readonly ticks: number
  readonly events: number
  readonly closedTrades: number
  /** Orders the risk rules denied, by rule. */
  readonly deniedOrders: Readonly<Record<string, number>>
  readonly netPnl: number
  readonly fees: number
  readonly barsPerSecond: number
  readonly ticksPerSecond: number
  readonly metrics: PerformanceMetrics
}

/**
 * Reads the symbol -> instrument key table (the importers' `loadSymbolTable`). Passed in, so that a plan for the
 * synthetic market loads nothing of the importers or the market store (DuckDB alone takes ~0.25 s to load).
 */
export type SymbolTableLoader = (path: string) => E.Either<unknown, ReadonlyMap<string, string>>

/** Checks a request; every refusal names the flag and why. */
export const planBacktest = (
  r: BacktestRequest,
  strategies: StrategyRegistry,
  loadSymbolTable: SymbolTableLoader,
): E.Either<string, BacktestPlan> => {
  const kinds = [...strategies.keys()]
  if (r.strategy === undefined) return E.left(`--strategy is required (one of: ${kinds.join(', ')})`)
  const def = strategies.get(r.strategy)
  if (def === undefined) return E.left(`unknown strategy "${r.strategy}" (known: ${kinds.join(', ')})`)
  const params = def.params.decode(r.params ?? {})
  if (E.isLeft(params)) return E.left(`bad --params for ${r.strategy}: ${describeParamsErrors(params.left)}`)
  if (r.from === undefined || r.to === undefined) return E.left('--from and --to (YYYY-MM-DD) are required')
  const startedMs = istInstant(r.from, '09:00')
  if (startedMs === undefined || istInstant(r.to, '00:00') === undefined) {
    return E.left(`--from/--to must be dates (YYYY-MM-DD), got ${r.from} and ${r.to}`)
  }
  if (r.from > r.to) return E.left(`empty date range: --from ${r.from} is after --to ${r.to}`)
  const calendar = loadCalendar()
  if (E.isLeft(calendar)) return E.left(describeCalendarLoadError(calendar.left))
  const days = calendar.right.tradingDays(r.from, r.to).length
  if (days === 0) return E.left(`no NSE trading day between ${r.from} and ${r.to}`)
  const wanted = (r.instruments ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (wanted.length === 0)
    return E.left('--instruments is required: trading symbols or instrument keys, comma-separated')
  const timeframe = Timeframe.decode(r.timeframe ?? '1m')
  if (E.isLeft(timeframe)) return E.left(`--timeframe must be one of ${TIMEFRAMES.join(', ')}, got ${r.timeframe}`)
  const data = r.data ?? 'store'
  if (data !== 'store' && data !== 'synthetic' && data !== 'ticks')
    return E.left(`--data must be store, ticks or synthetic, got ${data}`)
  let resolved: { symbol: string; instrumentKey: InstrumentKey }[]
  let source: BarSource
  if (data === 'synthetic') {
    const available = DEFAULT_SYNTHETIC_INSTRUMENTS
    const chosen = wanted.map((w) => available.find((i) => i.symbol === w.toUpperCase() || i.instrumentKey === w))
    const missing = wanted.filter((_, i) => chosen[i] === undefined)
    if (missing.length > 0) {
      return E.left(
        `no data for ${missing.join(', ')} (available: ${available.map((i) => `${i.symbol} ${i.instrumentKey}`).join(', ')})`,
      )
    }
    const instruments = chosen.flatMap((c) => (c === undefined ? [] : [c]))
    resolved = instruments.map((i) => ({ symbol: i.symbol, instrumentKey: i.instrumentKey }))
    source = { kind: 'synthetic', instruments }
  } else {
    if (!existsSync(r.storePath)) {
      return E.left(
        `no market store at ${r.storePath}: import data first (bahi import <path>), or use --data synthetic`,
      )
    }
    const symbols = loadSymbolTable(r.symbolsPath)
    if (E.isLeft(symbols)) return E.left(`symbol table ${r.symbolsPath}: ${JSON.stringify(symbols.left)}`)
    resolved = []
    const unknown: string[] = []
    for (const w of wanted) {
      const key = InstrumentKey.is(w) ? w : symbols.right.get(w.toUpperCase())
      if (key === undefined || !InstrumentKey.is(key)) unknown.push(w)
      else resolved.push({ symbol: w.toUpperCase(), instrumentKey: key })
    }
    if (unknown.length > 0) {
      return E.left(
        `unknown instrument(s) ${unknown.join(', ')}: use instrument keys or symbols of data/instruments/nse-symbols.csv`,
      )
    }
    const bars = r.barSource ?? (timeframe.right === '1m' ? 'stored' : 'resample')
    if (bars !== 'stored' && bars !== 'resample')
      return E.left(`--bar-source must be stored or resample, got ${r.barSource}`)
    if (bars === 'resample' && timeframe.right === '1m')
      return E.left('--bar-source resample needs a --timeframe above 1m (1-minute bars are the stored ones)')
    if (r.barSource !== undefined && data === 'ticks')
      return E.left('--bar-source is for bars read from the store: with --data ticks the bars are built from the ticks')
    source =
      data === 'store'
        ? { kind: 'store', path: r.storePath, sealedDir: r.sealedPath, bars, read: 'store' }
        : { kind: data, path: r.storePath }
  }
  if (r.barSource !== undefined && data === 'synthetic')
    return E.left('--bar-source is for bars read from the store, not the synthetic market')
  // Daily bars close at 15:30, after any intraday square-off: an intraday order could never open a position on them.
  const product = r.product ?? (timeframe.right === '1d' ? 'D' : 'I')
  if (product !== 'I' && product !== 'D')
    return E.left(`--product must be I (intraday) or D (delivery), got ${product}`)
  if (product === 'I' && timeframe.right === '1d')
    return E.left(
      "--product I on 1d bars: each bar closes at its session's close (15:30 on a regular day), after the intraday " +
        'square-off, so no position could open; ' +
        'daily bars trade as delivery (--product D, the default for --timeframe 1d)',
    )
  const exits = exitConfigOf(r, product)
  if (E.isLeft(exits)) return exits
  const simulator = simulatorOf(r)
  if (E.isLeft(simulator)) return simulator
  // Before the first schedule a fill would be charged nothing: a cost-free backtest must be asked for, not fallen into.
  const chargedFrom = chargesKnownFrom(UPSTOX_EQUITY_SCHEDULES)
  if (simulator.right.charges === 'upstox' && chargedFrom !== undefined && r.from < chargedFrom)
    return E.left(
      `--fees upstox: the charges table starts ${chargedFrom} (docs/simulated-broker.md), so trades from ${r.from} ` +
        `would be charged nothing before it: start at ${chargedFrom} or later, or ask for --fees zero`,
    )
  const limits = riskLimitsOf(r.limits, resolved)
  if (E.isLeft(limits)) return limits
  const capitalPaise = inrToPaise(r.capitalInr)
  if (!Number.isSafeInteger(capitalPaise)) return E.left(`--capital ${r.capitalInr} is too large`)
  const strategy = {
    kind: r.strategy,
    params: params.right as StrategyParams,
    exits: exits.right,
    ...(product === 'D' ? { product: 'D' as const } : {}),
  }
  const dataId = {
    source: source.kind === 'store' ? 'market-store' : source.kind === 'ticks' ? 'market-store-ticks' : 'synthetic-v1',
    timeframe: timeframe.right,
    // Only when it is not the default, so the run ids of runs that did not choose stay as they were.
    ...(source.kind === 'store' && source.bars === 'stored' && timeframe.right !== '1m' ? { bars: 'stored' } : {}),
    from: r.from,
    to: r.to,
    days,
    seed: r.seed,
    instruments: resolved,
  }
  // The run id is a function of what runs: the same backtest twice writes the same journal, byte for byte.
  const runId = `bt-${createHash('sha256')
    .update(JSON.stringify({ strategy, simulator: simulator.right, limits: limits.right, data: dataId, capitalPaise }))
    .digest('hex')
    .slice(0, 16)}`
  return E.right({
    runId,
    out: r.out,
    title: `${r.strategy} ${JSON.stringify(params.right)} on ${wanted.join(', ')}, ${r.from} to ${r.to}`,
    strategy,
    instruments: resolved,
    source,
    timeframe: timeframe.right,
    from: r.from,
    to: r.to,
    days,
    startedMs,
    seed: r.seed,
    capitalPaise,
    simulator: simulator.right,
    limits: limits.right,
  })
}

/**
 * The exits from `--square-off`, `--stop-loss`, `--take-profit` and `--trailing-stop` (`bahi backtest`, `sweep` and
 * `run` take the same); a delivery product has no square-off unless one is asked for.
 */
export const exitConfigOf = (r: ExitFlags, product: 'I' | 'D'): E.Either<string, ExitConfig> => {
  const exits: Record<string, unknown> = {}
  // Delivery positions are held overnight: no square-off unless one is asked for.
  if (product === 'D' && r.squareOff === undefined) exits.squareOff = 'off'
  if (r.squareOff !== undefined) {
    if (!ExitConfig.props.squareOff.is(r.squareOff))
      return E.left(`--square-off must be HH:MM or off, got ${r.squareOff}`)
    exits.squareOff = r.squareOff
  }
  for (const [flag, field, text] of [
    ['stop-loss', 'stopLossPct', r.stopLoss],
    ['take-profit', 'takeProfitPct', r.takeProfit],
    ['trailing-stop', 'trailingStopPct', r.trailingStop],
  ] as const) {
    if (text === undefined) continue
    const pct = Number(text)
    if (text.trim() === '' || !ExitConfig.props[field].is(pct))
      return E.left(`--${flag} must be a percentage above 0 and below 100, got ${text}`)
    exits[field] = pct
  }
  const decoded = ExitConfig.decode(exits)
  // Each field was checked above with its own codec: a refusal here is a bug.
  if (E.isLeft(decoded)) throw new Error(`exit config ${JSON.stringify(exits)} refused after its fields passed`)
  return decoded
}

/**
 * The simulated broker from `--fill-model`, `--fees`, `--slippage`, `--participation`, `--latency` and
 * `--fill-probability`.
 */
const simulatorOf = (r: BacktestRequest): E.Either<string, SimulatorConfig> => {
  const fillModel = r.fillModel ?? 'next-open'
  if (fillModel !== 'next-open' && fillModel !== 'touch')
    return E.left(`--fill-model must be next-open or touch, got ${fillModel}`)
  const fees = r.fees ?? 'upstox'
  if (fees !== 'zero' && fees !== 'upstox') return E.left(`--fees must be zero or upstox, got ${fees}`)
  let participation: number | undefined
  if (r.participation !== undefined) {
    participation = Number(r.participation)
    if (r.participation.trim() === '' || !(participation > 0 && participation <= 1))
      return E.left(`--participation must be a share of volume above 0 and at most 1, got ${r.participation}`)
  }
  const latencyMs = r.latency === undefined ? 0 : Number(r.latency)
  if (r.latency !== undefined && (r.latency.trim() === '' || !Number.isSafeInteger(latencyMs) || latencyMs < 0))
    return E.left(`--latency must be a whole number of milliseconds, got ${r.latency}`)
  const limitFillProbability =
    r.fillProbability === undefined ? DEFAULT_SIMULATOR_CONFIG.limitFillProbability : Number(r.fillProbability)
  if (
    r.fillProbability !== undefined &&
    (r.fillProbability.trim() === '' || !(limitFillProbability > 0 && limitFillProbability <= 1))
  )
    return E.left(`--fill-probability must be a chance above 0 and at most 1, got ${r.fillProbability}`)
  if (r.fillProbability !== undefined && fillModel !== 'touch')
    return E.left('--fill-probability applies to limits touched inside a bar: use it with --fill-model touch')
  return E.right({
    ...DEFAULT_SIMULATOR_CONFIG,
    fillModel,
    charges: fees,
    slippageTicks: r.slippageTicks,
    latencyMs,
    limitFillProbability,
    ...(participation === undefined ? {} : { participation }),
  })
}

/**
 * `--limits` (parsed JSON) over the default order rate (Upstox's 10 a second) for `bahi backtest`, `sweep` and `run`.
 * Decoded with `decodeRiskLimits`, not the bare codec: a misspelt limit is refused, never dropped (dropped, it would
 * leave trading unlimited).
 */
export const riskLimitsOf = (
  given: unknown,
  instruments: readonly { readonly symbol: string; readonly instrumentKey: InstrumentKey }[],
): E.Either<string, RiskLimits> => {
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given)))
    return E.left('--limits must be a JSON object of risk limits (see docs/risk.md)')
  const limits = decodeRiskLimits({ ...DEFAULT_RISK_LIMITS, ...(given as object | undefined) })
  if (E.isLeft(limits)) return E.left(`bad --limits: ${limits.left}`)
  const perInstrument = limits.right.instruments
  if (perInstrument === undefined) return limits
  // The rules look limits up by instrument key: one keyed by a symbol, or by an instrument the run does not trade,
  // would never apply, and the position it was meant to cap would run unchecked.
  const byKey: Record<string, NonNullable<RiskLimits['instruments']>[string]> = {}
  for (const [name, l] of Object.entries(perInstrument)) {
    const i = instruments.find((x) => x.instrumentKey === name || x.symbol === name.toUpperCase())
    if (i === undefined) {
      const run = instruments.map((x) => `${x.symbol} (${x.instrumentKey})`).join(', ')
      return E.left(`bad --limits: instruments.${name} is not an instrument of this run (${run})`)
    }
    if (byKey[i.instrumentKey] !== undefined)
      return E.left(`bad --limits: instruments.${name}: ${i.symbol} (${i.instrumentKey}) has limits twice`)
    byKey[i.instrumentKey] = l
  }
  return E.right({ ...limits.right, instruments: byKey })
}

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

/** What `checkBacktestData` found: where the plan's market is read, and why when it is not where it was asked. */
export interface BacktestData {
  readonly dataSource: DataSource
  /** Set when the run reads the sealed days: for stderr (the store was held by a writer, and up to which date). */
  readonly warning?: string
}

/** The plan reading its bars where `checkBacktestData` found them (the store's sealed days, say). */
export const readingFrom = (p: BacktestPlan, d: BacktestData): BacktestPlan =>
  p.source.kind === 'store' && (d.dataSource === 'store' || d.dataSource === 'sealed')
    ? { ...p, source: { ...p.source, read: d.dataSource } }
    : p

type MarketStoreModule = typeof import('../../adapters/marketStore/index.js')

/** The start of every refusal of a run whose store another process holds for writing. */
const heldBy = (path: string) =>
  `cannot read the market store ${path}: another process holds it for writing (an import, or the market-data node)`

/**
 * The store's bars, or, when another process holds the store for writing (and only then: any other failure to open
 * it is reported as it is), the reader of its sealed Parquet days.
 */
const openBarsForCheck = async (
  ms: MarketStoreModule,
  source: Extract<BarSource, { kind: 'store' }>,
  log: Logger,
): Promise<E.Either<string, { readonly bars: MarketBarSource; readonly dataSource: 'store' | 'sealed' }>> => {
  const opened = await ms.openMarketStore(source.path, log.child({ component: 'market-store' }), { readOnly: true })
  if (E.isRight(opened)) return E.right({ bars: opened.right, dataSource: 'store' })
  if (opened.left._tag !== 'StoreLocked') return E.left(ms.describeMarketStoreError(opened.left))
  const reader = await ms.openMarketReader(source.sealedDir)
  if (E.isRight(reader)) return E.right({ bars: reader.right, dataSource: 'sealed' })
  return E.left(
    reader.left._tag === 'NothingSealed'
      ? `${heldBy(source.path)}, and nothing is sealed yet to read instead (${source.sealedDir}: ` +
          `${reader.left.reason}): run this again when the writer is done, or once finished days are sealed ` +
          `(bahi data seal). DuckDB: ${opened.left.reason}`
      : `${heldBy(source.path)}, and its sealed days cannot be read instead: ` +
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
export const checkBacktestData = async (p: BacktestPlan, log: Logger): Promise<E.Either<string, BacktestData>> => {
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
  if (p.source.kind === 'ticks') {
    const opened = await ms.openMarketStore(p.source.path, log.child({ component: 'market-store' }), {
      readOnly: true,
    })
    if (E.isLeft(opened))
      return E.left(
        opened.left._tag === 'StoreLocked'
          ? `${heldBy(p.source.path)}, and --data ticks cannot read the sealed days instead: only bars are sealed, ` +
              'not ticks, so a run on ticks needs the store itself: run it again when the writer is done, or run on ' +
              `the sealed bars (--data store). DuckDB: ${opened.left.reason}`
          : ms.describeMarketStoreError(opened.left),
      )
    const rows = await opened.right.tickCoverage()
    opened.right.close()
    if (E.isLeft(rows)) return E.left(ms.describeMarketStoreError(rows.left))
    for (const r of rows.right) ranges.set(r.instrumentKey, r)
  } else {
    const opened = await openBarsForCheck(ms, p.source, log)
    if (E.isLeft(opened)) return opened
    if (opened.right.dataSource === 'sealed') sealedDir = p.source.sealedDir
    const rows = await opened.right.bars.coverage()
    opened.right.bars.close()
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

/** Runs a plan: the journal in `<out>/journal`, the report in `<out>/report.{json,html}`. */
export const executeBacktest = async (
  p: BacktestPlan,
  engine: () => Engine,
  codeVersion: string,
  log: Logger,
  /** Market events stepped so far: bars, and ticks in a run on ticks. */
  onProgress?: (events: number, lastTs: number) => void,
): Promise<E.Either<string, BacktestOutcome>> => {
  const calendar = loadCalendar()
  if (E.isLeft(calendar)) return E.left(describeCalendarLoadError(calendar.left))
  const journal = join(p.out, 'journal')
  let market: MarketChunks
  /** What the run reads from, closed after the run. */
  let held: { readonly close: () => void } | undefined
  // Opening a store's stream runs the query's sort (DuckDB hands over no row before every row is sorted): part of the
  // run's time, so part of its bars/s.
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
      const opened = await openMarketStore(p.source.path, log.child({ component: 'market-store' }), { readOnly: true })
      if (E.isLeft(opened)) return E.left(describeMarketStoreError(opened.left))
      const store = opened.right
      held = store
      const opening = performance.now()
      const ticks = await store.streamTicks({ instrumentKeys, fromMs: p.startedMs, toMs })
      if (E.isLeft(ticks)) {
        store.close()
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
          : await openMarketStore(p.source.path, log.child({ component: 'market-store' }), { readOnly: true })
      if (E.isLeft(opened)) return E.left(describeMarketStoreError(opened.left))
      const bars = opened.right
      held = bars
      const opening = performance.now()
      const stream = await bars.streamBarBatches({
        instrumentKeys,
        timeframe: p.timeframe,
        source: p.source.bars,
        fromMs: p.startedMs,
        toMs,
      })
      if (E.isLeft(stream)) {
        bars.close()
        return E.left(describeMarketStoreError(stream.left))
      }
      market = stream.right
      openSeconds = (performance.now() - opening) / 1000
    }
  }
  const ran = await runBacktest(
    {
      runId: p.runId,
      journalDir: journal,
      startedMs: p.startedMs,
      seed: p.seed,
      capitalPaise: p.capitalPaise,
      strategy: p.strategy,
      instruments: p.instruments.map((i) => i.instrumentKey),
      simulator: p.simulator,
      limits: p.limits,
      data: { source: p.source.kind, from: p.from, to: p.to, days: p.days, seed: p.seed, instruments: p.instruments },
      codeVersion,
    },
    engine(),
    market,
    log,
    onProgress,
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
  const reader = openJournalReader(journal)
  if (E.isLeft(reader)) return E.left(describeJournalError(reader.left))
  const report = await buildReport(reader.right, engine(), p.title)
  await reader.right.close()
  if (E.isLeft(report)) return report
  const files = writeReport(p.out, report.right)
  if (E.isLeft(files)) return files
  const m = report.right.metrics as unknown as PerformanceMetrics
  return E.right({
    runId: p.runId,
    dataSource,
    journal,
    report: files.right,
    bars: ran.right.bars,
    ticks: ran.right.ticks,
    events: ran.right.events,
    closedTrades: m.closedTrades,
    deniedOrders: report.right.deniedOrders,
    netPnl: m.netPnl,
    fees: m.fees,
    barsPerSecond: Math.round(ran.right.bars / (openSeconds + ran.right.seconds)),
    ticksPerSecond: Math.round(ran.right.ticks / (openSeconds + ran.right.seconds)),
    metrics: m,
  })
}
