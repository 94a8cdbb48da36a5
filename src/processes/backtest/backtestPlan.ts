import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { describeCalendarLoadError, loadCalendar } from '../../adapters/calendar/index.js'
import { DEFAULT_SYNTHETIC_INSTRUMENTS, type SyntheticInstrument } from '../../adapters/synthetic/index.js'
import { chargesKnownFrom, UPSTOX_EQUITY_SCHEDULES } from '../../domain/charges/index.js'
import {
  type ExitConfig,
  type SimulatorConfig,
  type StrategyParams,
  TIMEFRAMES,
  Timeframe,
} from '../../domain/events/index.js'
import { InstrumentKey } from '../../domain/ids/index.js'
import { inrToPaise } from '../../domain/money/index.js'
import type { RiskLimits } from '../../domain/risk/index.js'
import { describeParamsErrors, type StrategyRegistry } from '../../domain/strategies/index.js'
import { istInstant } from '../../domain/time/index.js'
import type { PerformanceMetrics } from '../../projections/index.js'
import { exitConfigOf, riskLimitsOf, simulatorOf } from './backtestFlags.js'
import { instrumentName } from './instrumentNames.js'

// A backtest as a job: `planBacktest` checks a request and resolves it into a plan (plain data, so it can be sent
// to a worker thread); `checkBacktestData` (backtestData.ts) finds where its market is read; `executeBacktest`
// (executeBacktest.ts) runs it: journal, report files, summary. The CLI's `backtest` and the workers of `sweep` use
// them all.

/** The exit flags as given (text), for `exitConfigOf`. */
export interface ExitFlags {
  readonly squareOff: string | undefined
  /** Percent of the entry price (stop loss, take profit) or of the best price since entry (trailing stop). */
  readonly stopLoss: string | undefined
  readonly takeProfit: string | undefined
  readonly trailingStop: string | undefined
  /** `--resting-exits`: the stop loss, trailing stop and take profit rest at the venue as orders (docs/exits.md). */
  readonly restingExits: boolean
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
  /** The store's sealed ticks, read instead in a run on ticks when another process holds the store. */
  readonly sealedTicksPath: string
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
  | {
      readonly kind: 'ticks'
      readonly path: string
      readonly sealedDir: string
      readonly sealedTicksDir: string
      /** As for bars: the DuckDB file, or its sealed days when another process holds it for writing. */
      readonly read: 'store' | 'sealed'
    }

/** What a run read its market from: the summaries say it (the journal does not: the rows are the same). */
export type DataSource = 'store' | 'sealed' | 'synthetic'

export const dataSourceOf = (s: BarSource): DataSource => {
  switch (s.kind) {
    case 'synthetic':
      return 'synthetic'
    case 'store':
      return s.read
    case 'ticks':
      return s.read
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
      else resolved.push({ symbol: instrumentName(w, key, symbols.right), instrumentKey: key })
    }
    if (unknown.length > 0) {
      return E.left(
        `unknown instrument(s) ${unknown.join(', ')}: use instrument keys, symbols of data/instruments/nse-symbols.csv, ` +
          'or trading symbols of an Upstox instrument master imported into the store (bahi import NSE.json)',
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
        : {
            kind: data,
            path: r.storePath,
            sealedDir: r.sealedPath,
            sealedTicksDir: r.sealedTicksPath,
            read: 'store',
          }
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
  if (exits.right.resting === true && simulator.right.fillModel !== 'touch')
    return E.left(
      '--resting-exits rests the stop and the target as orders, which fill where a bar reaches them; under ' +
        '--fill-model next-open a bar is only its open, so they would fill only on a gap: use --fill-model touch',
    )
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
    title: `${r.strategy} ${JSON.stringify(params.right)} on ${resolved.map((i) => i.symbol).join(', ')}, ${r.from} to ${r.to}`,
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
