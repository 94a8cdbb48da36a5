import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { describeCalendarLoadError, loadCalendar } from '../../../adapters/calendar/index.js'
import { writeReport } from '../../../adapters/report/index.js'
import { DEFAULT_SYNTHETIC_INSTRUMENTS, syntheticBars } from '../../../adapters/synthetic/index.js'
import { formatPaise, inrToPaise } from '../../../domain/money/index.js'
import { istInstant } from '../../../domain/time/index.js'
import { describeJournalError, openJournalReader } from '../../../journal/index.js'
import { DEFAULT_SIMULATOR_CONFIG, equityPaise } from '../../../projections/index.js'
import { buildReport, runBacktest } from '../../backtest/index.js'
import { createBuiltinEngine } from '../../engine/index.js'
import { verifyJournal } from '../../replay/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'
import { codeVersion } from '../codeVersion.js'
import { journalsDir } from '../home.js'

// `bahi demo` (what `npm start` runs): a backtest of the example strategy on the seeded synthetic NSE market, written
// to a journal under the data directory, then replayed with --verify. No broker account, no data download.

export interface DemoOptions {
  readonly home: string
  readonly json: boolean
  readonly days: number
  readonly seed: number
  readonly from: string
  readonly capitalInr: number
}

export const demoCommand = async (o: DemoOptions, io: CliIo, log: Logger): Promise<ExitCode> => {
  const calendar = loadCalendar()
  if (E.isLeft(calendar)) {
    io.err(`bahi demo: ${describeCalendarLoadError(calendar.left)}`)
    return 2
  }
  const started = istInstant(o.from, '09:00')
  if (started === undefined) {
    io.err(`bahi demo: --from "${o.from}" is not a date (YYYY-MM-DD)`)
    return 2
  }
  // Checked before the journal is created: the run manifest records the capital as a whole number of paise.
  const capitalPaise = inrToPaise(o.capitalInr)
  if (!Number.isSafeInteger(capitalPaise)) {
    io.err(
      `bahi demo: --capital ${o.capitalInr} is too large (at most ${Math.floor(Number.MAX_SAFE_INTEGER / 100)} INR)`,
    )
    return 2
  }
  const runId = `demo-${o.from.replaceAll('-', '')}-s${o.seed}-${Date.now().toString(36)}`
  const dir = join(journalsDir(o.home), runId)
  const instruments = DEFAULT_SYNTHETIC_INSTRUMENTS
  // Upstox intraday charges on every fill, a 1-tick slip on market orders; a daily loss limit of 1% of capital; the
  // default 15:15 IST square-off.
  const ran = await runBacktest(
    {
      runId,
      journalDir: dir,
      startedMs: started,
      seed: o.seed,
      capitalPaise,
      strategy: { kind: 'streak', params: { bars: 3, qty: 10 }, exits: {} },
      instruments: instruments.map((i) => i.instrumentKey),
      instrumentSymbols: Object.fromEntries(instruments.map((i) => [i.instrumentKey, i.symbol])),
      simulator: { ...DEFAULT_SIMULATOR_CONFIG, slippageTicks: 1, charges: 'upstox' },
      limits: { maxQty: 100, maxDailyLossPaise: Math.round(capitalPaise / 100), maxOrdersPerSecond: 10 },
      data: { generator: 'synthetic-v1', from: o.from, days: o.days, seed: o.seed, instruments },
      codeVersion: codeVersion(),
    },
    createBuiltinEngine(),
    syntheticBars({ calendar: calendar.right, instruments, from: o.from, days: o.days, seed: o.seed }),
    log,
  )
  if (E.isLeft(ran)) {
    io.err(`bahi demo: ${ran.left}`)
    return 1
  }
  const { bars, events: lastSeq, seconds, state } = ran.right

  // Audit the run we just wrote: every decision must be re-derived from the recorded inputs.
  const reader = openJournalReader(dir)
  if (E.isLeft(reader)) {
    io.err(`bahi demo: ${describeJournalError(reader.left)}`)
    return 1
  }
  const verified = await verifyJournal(reader.right, createBuiltinEngine())
  await reader.right.close()
  const divergences = E.isRight(verified) && verified.right.divergence === undefined ? 0 : 1

  // The report: a fold over the same journal.
  const reportReader = openJournalReader(dir)
  if (E.isLeft(reportReader)) {
    io.err(`bahi demo: ${describeJournalError(reportReader.left)}`)
    return 1
  }
  const report = await buildReport(
    reportReader.right,
    createBuiltinEngine(),
    `bahi demo: streak on the synthetic market, ${o.days} days from ${o.from}`,
  )
  await reportReader.right.close()
  if (E.isLeft(report)) {
    io.err(`bahi demo: ${report.left}`)
    return 1
  }
  const files = writeReport(join(o.home, 'reports', runId), report.right)
  if (E.isLeft(files)) {
    io.err(`bahi demo: ${files.left}`)
    return 1
  }

  const t = state.trading
  const orders = [...t.orders.orders.values()]
  const fills = orders.reduce((n, x) => n + (x.filledQty > 0 ? 1 : 0), 0)
  const summary = {
    runId,
    journal: dir,
    report: files.right,
    closedTrades: report.right.metrics.closedTrades,
    netPnl: report.right.metrics.netPnl,
    bars,
    events: lastSeq,
    orders: orders.length,
    filledOrders: fills,
    realizedPnl: t.portfolio.realizedPaise / 100,
    fees: t.portfolio.feesPaise / 100,
    equity: equityPaise(t.portfolio) / 100,
    maxDrawdown: t.risk.maxDrawdownPaise / 100,
    seconds: Math.round(seconds * 1000) / 1000,
    barsPerSecond: Math.round(bars / seconds),
    verify: { events: E.isRight(verified) ? verified.right.events : 0, divergences },
    strategyErrors: Object.fromEntries(state.strategyErrors),
  }
  printResult(io, o.json, summary, [
    `bahi demo: streak strategy on ${instruments.length} synthetic NSE instruments, ${o.days} trading days from ${o.from} (seed ${o.seed})`,
    `  bars ${bars}, events ${lastSeq}, orders ${orders.length} (${fills} filled)`,
    `  realized PnL ${formatPaise(t.portfolio.realizedPaise)} INR, fees ${formatPaise(t.portfolio.feesPaise)} INR, equity ${formatPaise(equityPaise(t.portfolio))} INR, max drawdown ${formatPaise(t.risk.maxDrawdownPaise)} INR`,
    `  ${summary.barsPerSecond} bars/s`,
    `  audit replay: ${summary.verify.events} events, ${divergences} divergences`,
    `  closed trades ${report.right.metrics.closedTrades}, net PnL ${String(report.right.metrics.netPnl)} INR, return ${String(report.right.metrics.totalReturnPct)}%`,
    `  report: ${files.right.html}`,
    `  journal: ${dir}`,
    `  replay it: npx bahi replay ${dir} --verify`,
  ])
  return divergences === 0 ? 0 : 1
}
