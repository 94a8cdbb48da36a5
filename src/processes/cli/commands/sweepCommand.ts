import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { loadSymbolTable } from '../../../adapters/importers/index.js'
import {
  type BacktestPlan,
  checkBacktestData,
  planBacktest,
  readingFrom,
  withStoreSymbols,
} from '../../backtest/index.js'
import { builtinEngineConfig } from '../../engine/index.js'
import {
  describeRankMetrics,
  gridCombinations,
  isRankMetric,
  RANK_DIRECTIONS,
  rankRuns,
  rankValueOf,
  runSweep,
} from '../../sweep/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'
import { codeVersion } from '../codeVersion.js'
import { marketStorePath, packagedSymbolsPath, sealedInstrumentsDir, sealedMarketDir, sealedTicksDir } from '../home.js'
import type { BacktestOptions } from './backtestCommand.js'

// `bahi sweep --strategy KIND --grid '{"fast":[5,10],"slow":[20,30]}' [--params JSON] --instruments A,B --from D
//  --to D --out DIR [--rank METRIC] [--workers N] [--json]` (plus the backtest flags): one backtest per combination
// of the grid (merged over --params), on worker threads using every core, each into DIR/<n>/, ranked best first by a
// figure of the report (netPnl by default; e.g. sharpe, profitFactor), higher or lower first as the figure is better
// (sweepRanking.ts).

export interface SweepOptions extends BacktestOptions {
  readonly grid: string | undefined
  readonly rank: string
  readonly workers: number | undefined
}

const fail = (io: CliIo, msg: string): ExitCode => {
  io.err(`bahi sweep: ${msg}`)
  return 2
}

const parseJson = (flag: string, s: string | undefined): E.Either<string, unknown> => {
  try {
    return E.right(s === undefined ? {} : JSON.parse(s))
  } catch (e) {
    return E.left(`${flag} is not JSON: ${(e as Error).message}`)
  }
}

export const sweepCommand = async (o: SweepOptions, io: CliIo, log: Logger): Promise<ExitCode> => {
  // Checked first: refused after the runs, a misspelt metric cost the whole sweep and left its directory behind.
  const rank = o.rank
  if (!isRankMetric(rank))
    return fail(io, `--rank ${rank} is not a figure of the report; one of ${describeRankMetrics()}`)
  const better = RANK_DIRECTIONS[rank]
  const base = parseJson('--params', o.params)
  if (E.isLeft(base)) return fail(io, base.left)
  const grid = parseJson('--grid', o.grid)
  if (E.isLeft(grid)) return fail(io, grid.left)
  const limits = o.limits === undefined ? E.right(undefined) : parseJson('--limits', o.limits)
  if (E.isLeft(limits)) return fail(io, limits.left)
  const g = grid.right
  if (o.grid === undefined || typeof g !== 'object' || g === null || Array.isArray(g)) {
    return fail(io, '--grid must be a JSON object of param -> list of values, e.g. {"fast":[5,10],"slow":[20,30]}')
  }
  const bad = Object.entries(g).filter(([, v]) => !Array.isArray(v) || v.length === 0)
  if (bad.length > 0) return fail(io, `--grid values must be non-empty lists: ${bad.map(([k]) => k).join(', ')}`)
  if (o.out === undefined) return fail(io, '--out DIR is required (each run writes DIR/<n>/journal and its report)')
  const out = resolve(o.out)
  if (existsSync(out)) return fail(io, `${out} already exists; a sweep writes a new directory`)
  const combos = gridCombinations(g as Record<string, unknown[]>)
  // Trading symbols of an imported instrument master name instruments too (read from the store, for a store run).
  const symbols =
    o.data === 'synthetic'
      ? loadSymbolTable
      : await withStoreSymbols(marketStorePath(o.home), sealedInstrumentsDir(o.home), loadSymbolTable, log)
  const plans: BacktestPlan[] = []
  for (const [i, combo] of combos.entries()) {
    const plan = planBacktest(
      {
        ...o,
        params: { ...(base.right as object), ...combo },
        limits: limits.right,
        out: join(out, String(i + 1)),
        storePath: marketStorePath(o.home),
        sealedPath: sealedMarketDir(o.home),
        sealedTicksPath: sealedTicksDir(o.home),
        symbolsPath: packagedSymbolsPath(),
      },
      builtinEngineConfig.strategies,
      symbols,
    )
    if (E.isLeft(plan)) return fail(io, `combination ${JSON.stringify(combo)}: ${plan.left}`)
    plans.push(plan.right)
  }
  // Every combination runs on the same instruments and range: checked once, before any run writes anything, and every
  // run reads where the check found the bars (the sealed days, when another process holds the store for writing).
  if (plans[0] === undefined) return fail(io, '--grid gives no combination')
  const data = await checkBacktestData(plans[0], log)
  if (E.isLeft(data)) return fail(io, data.left)
  if (data.right.warning !== undefined) io.err(`bahi sweep: warning: ${data.right.warning}`)
  const runs = plans.map((p) => readingFrom(p, data.right))
  const t0 = performance.now()
  // Drawn on a terminal only, as the backtest's and the import's progress: `\r` redraws are noise in a log or pipe.
  const draw = !o.json && process.stderr.isTTY === true
  const results = await runSweep(runs, codeVersion(), o.workers, (done) => {
    if (draw) process.stderr.write(`\rbahi sweep: ${done}/${plans.length} runs`)
  })
  if (draw) process.stderr.write('\n')
  const seconds = (performance.now() - t0) / 1000
  const failed = results.filter((r) => E.isLeft(r.outcome))
  const rows = rankRuns(
    results.flatMap((r, i) =>
      E.isRight(r.outcome)
        ? [
            {
              run: i + 1,
              params: r.plan.strategy.params,
              // The report's figure as it is in report.json (null for an infinite profit factor)...
              rankValue: r.outcome.right.metrics[rank],
              // ...and as a number to sort on.
              value: rankValueOf(r.outcome.right.metrics, rank),
              netPnl: r.outcome.right.netPnl,
              sharpe: r.outcome.right.metrics.sharpe,
              maxDrawdownPct: r.outcome.right.metrics.maxDrawdownPct,
              closedTrades: r.outcome.right.closedTrades,
              winRatePct: r.outcome.right.metrics.winRatePct,
              report: r.outcome.right.report.html,
            },
          ]
        : [],
    ),
    rank,
  ).map(({ value: _, ...row }) => row)
  const bars = results.reduce((n, r) => n + (E.isRight(r.outcome) ? r.outcome.right.bars : 0), 0)
  const ticks = results.reduce((n, r) => n + (E.isRight(r.outcome) ? r.outcome.right.ticks : 0), 0)
  // The table: the run's number, the figure ranked by (unless it is one of the usual columns, which then carries the
  // arrow), the usual figures, and the params.
  const arrow = better === 'higher' ? '▼' : '▲'
  const usual = [
    { key: 'netPnl', title: 'netPnl', width: 14 },
    { key: 'sharpe', title: 'sharpe', width: 10 },
    { key: 'maxDrawdownPct', title: 'maxDD%', width: 9 },
    { key: 'closedTrades', title: 'trades', width: 8 },
  ] as const
  const ranked = usual.some((c) => c.key === rank)
    ? []
    : [{ key: 'rankValue' as const, title: rank, width: rank.length + 3 }]
  const columns = [...ranked, ...usual].map((c) => {
    const title = c.key === rank || c.key === 'rankValue' ? `${c.title} ${arrow}` : c.title
    return { ...c, title, width: Math.max(c.width, title.length + 2) }
  })
  const cell = (v: unknown) => (v === null ? '∞' : String(v))
  printResult(
    io,
    o.json,
    {
      rankBy: rank,
      dataSource: data.right.dataSource,
      // Best first: ascending for a figure where lower is better (drawdowns, fees, exposure).
      rankOrder: better === 'higher' ? 'descending' : 'ascending',
      runs: rows,
      failed: failed.map((f) => ({ params: f.plan.strategy.params, error: E.isLeft(f.outcome) ? f.outcome.left : '' })),
      seconds,
      barsPerSecond: Math.round(bars / seconds),
      ticksPerSecond: Math.round(ticks / seconds),
    },
    [
      `bahi sweep: ${plans.length} runs of ${o.strategy} ranked by ${rank}, ${better} is better, best first (${seconds.toFixed(1)} s, ${ticks > 0 ? `${Math.round(ticks / seconds)} ticks/s and ` : ''}${Math.round(bars / seconds)} bars/s over all workers)`,
      `  ${'run'.padEnd(5)}${columns.map((c) => c.title.padEnd(c.width)).join('')}params`,
      ...rows.map(
        (r) =>
          `  ${String(r.run).padEnd(5)}${columns.map((c) => cell(r[c.key]).padEnd(c.width)).join('')}${JSON.stringify(r.params)}`,
      ),
      ...failed.map(
        (f) => `  failed ${JSON.stringify(f.plan.strategy.params)}: ${E.isLeft(f.outcome) ? f.outcome.left : ''}`,
      ),
    ],
  )
  return failed.length === 0 ? 0 : 1
}
