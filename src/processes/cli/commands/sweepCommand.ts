import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { loadSymbolTable } from '../../../adapters/importers/index.js'
import { type BacktestPlan, planBacktest } from '../../backtest/index.js'
import { builtinEngineConfig } from '../../engine/index.js'
import { gridCombinations, runSweep } from '../../sweep/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'
import { codeVersion } from '../codeVersion.js'
import { marketStorePath, packagedSymbolsPath } from '../home.js'
import type { BacktestOptions } from './backtestCommand.js'

// `bahi sweep --strategy KIND --grid '{"fast":[5,10],"slow":[20,30]}' [--params JSON] --instruments A,B --from D
//  --to D --out DIR [--rank METRIC] [--workers N] [--json]` (plus the backtest flags): one backtest per combination
// of the grid (merged over --params), on worker threads using every core, each into DIR/<n>/, ranked by a metric
// (netPnl by default; any figure of the report, e.g. sharpe, profitFactor).

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

export const sweepCommand = async (o: SweepOptions, io: CliIo): Promise<ExitCode> => {
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
  const plans: BacktestPlan[] = []
  for (const [i, combo] of combos.entries()) {
    const plan = planBacktest(
      {
        ...o,
        params: { ...(base.right as object), ...combo },
        limits: limits.right,
        out: join(out, String(i + 1)),
        storePath: marketStorePath(o.home),
        symbolsPath: packagedSymbolsPath(),
      },
      builtinEngineConfig.strategies,
      loadSymbolTable,
    )
    if (E.isLeft(plan)) return fail(io, `combination ${JSON.stringify(combo)}: ${plan.left}`)
    plans.push(plan.right)
  }
  const t0 = performance.now()
  const results = await runSweep(plans, codeVersion(), o.workers, (done) => {
    if (!o.json) process.stderr.write(`\rbahi sweep: ${done}/${plans.length} runs`)
  })
  if (!o.json) process.stderr.write('\n')
  const seconds = (performance.now() - t0) / 1000
  const failed = results.filter((r) => E.isLeft(r.outcome))
  const rows = results.flatMap((r, i) =>
    E.isRight(r.outcome)
      ? [
          {
            run: i + 1,
            params: r.plan.strategy.params,
            rankValue: (r.outcome.right.metrics as unknown as Record<string, unknown>)[o.rank],
            netPnl: r.outcome.right.netPnl,
            sharpe: r.outcome.right.metrics.sharpe,
            maxDrawdownPct: r.outcome.right.metrics.maxDrawdownPct,
            closedTrades: r.outcome.right.closedTrades,
            winRatePct: r.outcome.right.metrics.winRatePct,
            report: r.outcome.right.report.html,
          },
        ]
      : [],
  )
  if (rows.length > 0 && typeof rows[0]?.rankValue !== 'number') {
    return fail(io, `--rank ${o.rank} is not a figure of the report (e.g. netPnl, sharpe, sortino, profitFactor)`)
  }
  rows.sort((a, b) => (b.rankValue as number) - (a.rankValue as number) || a.run - b.run)
  const bars = results.reduce((n, r) => n + (E.isRight(r.outcome) ? r.outcome.right.bars : 0), 0)
  const ticks = results.reduce((n, r) => n + (E.isRight(r.outcome) ? r.outcome.right.ticks : 0), 0)
  printResult(
    io,
    o.json,
    {
      rankBy: o.rank,
      runs: rows,
      failed: failed.map((f) => ({ params: f.plan.strategy.params, error: E.isLeft(f.outcome) ? f.outcome.left : '' })),
      seconds,
      barsPerSecond: Math.round(bars / seconds),
      ticksPerSecond: Math.round(ticks / seconds),
    },
    [
      `bahi sweep: ${plans.length} runs of ${o.strategy} ranked by ${o.rank} (${seconds.toFixed(1)} s, ${ticks > 0 ? `${Math.round(ticks / seconds)} ticks/s and ` : ''}${Math.round(bars / seconds)} bars/s over all workers)`,
      `  ${'#'.padEnd(4)}${o.rank.padEnd(14)}${'netPnl'.padEnd(14)}${'sharpe'.padEnd(10)}${'maxDD%'.padEnd(9)}${'trades'.padEnd(8)}params`,
      ...rows.map(
        (r) =>
          `  ${String(r.run).padEnd(4)}${String(r.rankValue).padEnd(14)}${String(r.netPnl).padEnd(14)}${String(r.sharpe).padEnd(10)}${String(r.maxDrawdownPct).padEnd(9)}${String(r.closedTrades).padEnd(8)}${JSON.stringify(r.params)}`,
      ),
      ...failed.map(
        (f) => `  failed ${JSON.stringify(f.plan.strategy.params)}: ${E.isLeft(f.outcome) ? f.outcome.left : ''}`,
      ),
    ],
  )
  return failed.length === 0 ? 0 : 1
}
