import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { describeCalendarLoadError, loadCalendar } from '../../../adapters/calendar/index.js'
import { writeReport } from '../../../adapters/report/index.js'
import { DEFAULT_SYNTHETIC_INSTRUMENTS, syntheticBars } from '../../../adapters/synthetic/index.js'
import { ExitConfig, type SimulatorConfig } from '../../../domain/events/index.js'
import { inrToPaise } from '../../../domain/money/index.js'
import { istInstant } from '../../../domain/time/index.js'
import { describeJournalError, openJournalReader } from '../../../journal/index.js'
import { DEFAULT_SIMULATOR_CONFIG } from '../../../projections/index.js'
import { buildReport, runBacktest } from '../../backtest/index.js'
import { builtinEngineConfig, createBuiltinEngine } from '../builtinEngine.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'
import { codeVersion } from '../codeVersion.js'

// `bahi backtest --strategy KIND [--params JSON] --instruments A,B --from D --to D [--fill-model next-open|touch]
//  [--fees zero|upstox] [--slippage TICKS] [--square-off HH:MM|off] [--capital INR] [--seed N] --out DIR [--json]`
// Runs the engine over the bars of the data source into <out>/journal, then folds the journal into
// <out>/report.json and <out>/report.html. Data: the seeded synthetic NSE market (the market store comes next).

export interface BacktestOptions {
  readonly json: boolean
  readonly strategy: string | undefined
  readonly params: string | undefined
  readonly instruments: string | undefined
  readonly from: string | undefined
  readonly to: string | undefined
  readonly fillModel: string | undefined
  readonly fees: string | undefined
  readonly slippageTicks: number
  readonly squareOff: string | undefined
  readonly capitalInr: number
  readonly seed: number
  readonly out: string | undefined
}

const fail = (io: CliIo, msg: string): ExitCode => {
  io.err(`bahi backtest: ${msg}`)
  return 2
}

export const backtestCommand = async (o: BacktestOptions, io: CliIo, log: Logger): Promise<ExitCode> => {
  const kinds = [...builtinEngineConfig.strategies.keys()]
  if (o.strategy === undefined) return fail(io, `--strategy is required (one of: ${kinds.join(', ')})`)
  const def = builtinEngineConfig.strategies.get(o.strategy)
  if (def === undefined) return fail(io, `unknown strategy "${o.strategy}" (known: ${kinds.join(', ')})`)
  let rawParams: unknown
  try {
    rawParams = o.params === undefined ? {} : JSON.parse(o.params)
  } catch (e) {
    return fail(io, `--params is not JSON: ${(e as Error).message}`)
  }
  const params = def.params.decode(rawParams)
  if (E.isLeft(params)) {
    return fail(
      io,
      `bad --params for ${o.strategy}: ${params.left
        .map(
          (x) =>
            x.message ??
            `${x.context
              .map((c) => c.key)
              .filter(Boolean)
              .join('.')} is invalid`,
        )
        .join('; ')}`,
    )
  }
  if (o.out === undefined) return fail(io, '--out DIR is required (the journal and the report go there)')
  if (o.from === undefined || o.to === undefined) return fail(io, '--from and --to (YYYY-MM-DD) are required')
  const startedMs = istInstant(o.from, '09:00')
  if (startedMs === undefined || istInstant(o.to, '00:00') === undefined)
    return fail(io, `--from/--to must be dates (YYYY-MM-DD), got ${o.from} and ${o.to}`)
  if (o.from > o.to) return fail(io, `empty date range: --from ${o.from} is after --to ${o.to}`)
  const calendar = loadCalendar()
  if (E.isLeft(calendar)) return fail(io, describeCalendarLoadError(calendar.left))
  const days = calendar.right.tradingDays(o.from, o.to).length
  if (days === 0) return fail(io, `no NSE trading day between ${o.from} and ${o.to}`)
  const wanted = (o.instruments ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (wanted.length === 0)
    return fail(io, '--instruments is required: trading symbols or instrument keys, comma-separated')
  const available = DEFAULT_SYNTHETIC_INSTRUMENTS
  const chosen = wanted.map((w) => available.find((i) => i.symbol === w.toUpperCase() || i.instrumentKey === w))
  const missing = wanted.filter((_, i) => chosen[i] === undefined)
  if (missing.length > 0) {
    return fail(
      io,
      `no data for ${missing.join(', ')} (available: ${available.map((i) => `${i.symbol} ${i.instrumentKey}`).join(', ')})`,
    )
  }
  const fillModel = o.fillModel ?? 'next-open'
  if (fillModel !== 'next-open' && fillModel !== 'touch')
    return fail(io, `--fill-model must be next-open or touch, got ${fillModel}`)
  const fees = o.fees ?? 'upstox'
  if (fees !== 'zero' && fees !== 'upstox') return fail(io, `--fees must be zero or upstox, got ${fees}`)
  const exits = ExitConfig.decode(o.squareOff === undefined ? {} : { squareOff: o.squareOff })
  if (E.isLeft(exits)) return fail(io, `--square-off must be HH:MM or off, got ${o.squareOff}`)
  const capitalPaise = inrToPaise(o.capitalInr)
  if (!Number.isSafeInteger(capitalPaise)) return fail(io, `--capital ${o.capitalInr} is too large`)

  const simulator: SimulatorConfig = {
    ...DEFAULT_SIMULATOR_CONFIG,
    fillModel,
    charges: fees,
    slippageTicks: o.slippageTicks,
  }
  const instruments = chosen.flatMap((c) => (c === undefined ? [] : [c]))
  const out = resolve(o.out)
  const journalDir = join(out, 'journal')
  if (existsSync(journalDir))
    return fail(io, `${journalDir} already exists: a backtest writes a new journal; choose another --out`)
  const data = { source: 'synthetic-v1', from: o.from, days, seed: o.seed, instruments }
  const strategy = { kind: o.strategy, params: params.right as Record<string, unknown>, exits: exits.right }
  // The run id is a function of what runs: the same backtest twice writes the same journal, byte for byte.
  const runId = `bt-${createHash('sha256').update(JSON.stringify({ strategy, simulator, data, capitalPaise })).digest('hex').slice(0, 16)}`
  let lastShown = 0
  const progress = (bars: number) => {
    if (o.json || bars - lastShown < 50_000) return
    lastShown = bars
    process.stderr.write(`\rbahi backtest: ${bars} bars`)
  }
  const ran = await runBacktest(
    {
      runId,
      journalDir,
      startedMs,
      seed: o.seed,
      capitalPaise,
      strategy,
      instruments: instruments.map((i) => i.instrumentKey),
      simulator,
      limits: { maxOrdersPerSecond: 10 },
      data,
      codeVersion: codeVersion(),
    },
    createBuiltinEngine(),
    syntheticBars({ calendar: calendar.right, instruments, from: o.from, days, seed: o.seed }),
    log,
    progress,
  )
  if (lastShown > 0) process.stderr.write('\n')
  if (E.isLeft(ran)) {
    io.err(`bahi backtest: ${ran.left}`)
    return 1
  }
  const reader = openJournalReader(join(out, 'journal'))
  if (E.isLeft(reader)) return fail(io, describeJournalError(reader.left))
  const report = await buildReport(
    reader.right,
    createBuiltinEngine(),
    `${o.strategy} on ${wanted.join(', ')}, ${o.from} to ${o.to}`,
  )
  await reader.right.close()
  if (E.isLeft(report)) return fail(io, report.left)
  const files = writeReport(out, report.right)
  if (E.isLeft(files)) return fail(io, files.left)
  const m = report.right.metrics
  const summary = {
    runId,
    journal: join(out, 'journal'),
    report: files.right,
    bars: ran.right.bars,
    events: ran.right.events,
    closedTrades: m.closedTrades,
    netPnl: m.netPnl,
    fees: m.fees,
    barsPerSecond: Math.round(ran.right.bars / ran.right.seconds),
    metrics: m,
  }
  printResult(io, o.json, summary, [
    `bahi backtest: ${o.strategy} on ${wanted.join(', ')} from ${o.from} to ${o.to} (${days} trading days, ${fillModel}, fees ${fees})`,
    `  bars ${summary.bars}, closed trades ${summary.closedTrades}, net PnL ${String(m.netPnl)} INR (fees ${String(m.fees)} INR)`,
    `  return ${String(m.totalReturnPct)}%, Sharpe ${String(m.sharpe)}, max drawdown ${String(m.maxDrawdownPct)}%, win rate ${String(m.winRatePct)}%`,
    `  ${summary.barsPerSecond} bars/s`,
    `  report: ${files.right.html}`,
    `  journal: ${summary.journal}  (npx bahi replay ${summary.journal} --verify)`,
  ])
  return 0
}
