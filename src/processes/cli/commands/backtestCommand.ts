import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { loadSymbolTable } from '../../../adapters/importers/index.js'
import type { MarketStore } from '../../../adapters/marketStore/index.js'
import { DAY_MS, istInstant } from '../../../domain/time/index.js'
import {
  type BacktestRequest,
  checkBacktestData,
  executeBacktest,
  openStoreOnce,
  planBacktest,
  readingFrom,
  withStoreSymbols,
} from '../../backtest/index.js'
import { builtinEngineConfig, createBuiltinEngine } from '../../engine/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'
import { codeVersion } from '../codeVersion.js'
import { marketStorePath, packagedSymbolsPath, sealedInstrumentsDir, sealedMarketDir, sealedTicksDir } from '../home.js'
import { backtestProgress } from './backtestProgress.js'

// `bahi backtest --strategy KIND [--params JSON] --instruments A,B --from D --to D [--fill-model next-open|touch]
//  [--fees zero|upstox] [--slippage TICKS] [--square-off HH:MM|off] [--stop-loss PCT] [--take-profit PCT]
//  [--trailing-stop PCT] [--participation SHARE] [--latency MS] [--limits JSON] [--product I|D] [--capital INR]
//  [--seed N] --out DIR [--json]`
// Runs the engine over the data source into <out>/journal, then folds the journal into <out>/report.json and
// <out>/report.html. Data: the market store's bars (default), its stored ticks with the bars built from them
// (`--data ticks`), or the seeded synthetic NSE market (`--data synthetic`).

/** The request as the CLI has it: JSON flags still text, and where the store and outputs are. */
export interface BacktestOptions
  extends Omit<
    BacktestRequest,
    'params' | 'limits' | 'out' | 'storePath' | 'sealedPath' | 'sealedTicksPath' | 'symbolsPath'
  > {
  readonly json: boolean
  readonly home: string
  readonly params: string | undefined
  /** Risk limits as JSON text (`RiskLimits`). */
  readonly limits: string | undefined
  readonly out: string | undefined
}

const fail = (io: CliIo, msg: string): ExitCode => {
  io.err(`bahi backtest: ${msg}`)
  return 2
}

export const backtestCommand = async (o: BacktestOptions, io: CliIo, log: Logger): Promise<ExitCode> => {
  let params: unknown
  try {
    params = o.params === undefined ? {} : JSON.parse(o.params)
  } catch (e) {
    return fail(io, `--params is not JSON: ${(e as Error).message}`)
  }
  let limits: unknown
  try {
    limits = o.limits === undefined ? undefined : JSON.parse(o.limits)
  } catch (e) {
    return fail(io, `--limits is not JSON: ${(e as Error).message}`)
  }
  if (o.out === undefined) return fail(io, '--out DIR is required (the journal and the report go there)')
  const out = resolve(o.out)
  // The store's three reads (symbols, data check, run) share one read-only open; a synthetic run never loads DuckDB.
  const store = o.data === 'synthetic' ? undefined : await openStoreOnce(marketStorePath(o.home), log)
  try {
    return await planAndRun(o, { params, limits, out }, store, io, log)
  } finally {
    store?.close()
  }
}

const planAndRun = async (
  o: BacktestOptions,
  { params, limits, out }: { params: unknown; limits: unknown; out: string },
  store: MarketStore | undefined,
  io: CliIo,
  log: Logger,
): Promise<ExitCode> => {
  // Trading symbols of an imported instrument master name instruments too (read from the store, for a store run).
  const symbols =
    o.data === 'synthetic'
      ? loadSymbolTable
      : await withStoreSymbols(marketStorePath(o.home), sealedInstrumentsDir(o.home), loadSymbolTable, log, store)
  const plan = planBacktest(
    {
      ...o,
      params,
      limits,
      out,
      storePath: marketStorePath(o.home),
      sealedPath: sealedMarketDir(o.home),
      sealedTicksPath: sealedTicksDir(o.home),
      symbolsPath: packagedSymbolsPath(),
    },
    builtinEngineConfig.strategies,
    symbols,
  )
  if (E.isLeft(plan)) return fail(io, plan.left)
  const journal = join(out, 'journal')
  if (existsSync(journal))
    return fail(io, `${journal} already exists: a backtest writes a new journal; choose another --out`)
  const data = await checkBacktestData(plan.right, log, store)
  if (E.isLeft(data)) return fail(io, data.left)
  if (data.right.warning !== undefined) io.err(`bahi backtest: warning: ${data.right.warning}`)
  const p = readingFrom(plan.right, data.right)
  const progress = backtestProgress({
    unit: p.source.kind === 'ticks' ? 'ticks and bars' : 'bars',
    draw: !o.json && process.stderr.isTTY === true,
    write: (text) => process.stderr.write(text),
    now: () => performance.now(),
    range: { fromMs: p.startedMs, toMs: istInstant(p.to, '00:00')! + DAY_MS },
  })
  const ran = await executeBacktest(p, createBuiltinEngine, codeVersion(), log, progress.update, store)
  progress.finish()
  if (E.isLeft(ran)) {
    io.err(`bahi backtest: ${ran.left}`)
    return 1
  }
  const s = ran.right
  const m = s.metrics
  printResult(io, o.json, { ...s }, [
    `bahi backtest: ${p.title} (${p.days} trading days, ${p.simulator.fillModel}, fees ${p.simulator.charges})`,
    `  ${s.ticks > 0 ? `ticks ${s.ticks}, ` : ''}bars ${s.bars}, closed trades ${s.closedTrades}, net PnL ${m.netPnl} INR (fees ${m.fees} INR)`,
    `  return ${m.totalReturnPct}%, Sharpe ${m.sharpe}, max drawdown ${m.maxDrawdownPct}%, win rate ${m.winRatePct}%`,
    ...(Object.keys(s.deniedOrders).length === 0
      ? []
      : [
          `  orders denied: ${Object.entries(s.deniedOrders)
            .sort((a, b) => b[1] - a[1])
            .map(([rule, n]) => `${rule} ${n}`)
            .join(', ')}`,
        ]),
    s.ticks > 0 ? `  ${s.ticksPerSecond} ticks/s` : `  ${s.barsPerSecond} bars/s`,
    `  report: ${s.report.html}`,
    `  journal: ${s.journal}  (npx bahi replay ${s.journal} --verify)`,
  ])
  return 0
}
