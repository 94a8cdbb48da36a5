import { existsSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { writeReport } from '../../../adapters/report/index.js'
import { describeJournalError, openJournalReader } from '../../../journal/index.js'
import { buildReport } from '../../backtest/index.js'
import { createBuiltinEngine } from '../../engine/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'

// `bahi report <journal> [--out DIR] [--json]`: the backtest report (report.json and the self-contained report.html:
// equity and drawdown, trades with their reasons, monthly returns, the figures) of any journal: a paper or live
// session of `bahi run` as much as a backtest, since the report is a fold over the journal's events. Written to
// `DIR`, by default `<journal>-report` beside the journal.

export interface ReportOptions {
  readonly journal: string
  readonly out: string | undefined
  readonly json: boolean
}

export const reportCommand = async (o: ReportOptions, io: CliIo): Promise<ExitCode> => {
  const journal = resolve(o.journal)
  const out = o.out === undefined ? join(dirname(journal), `${basename(journal)}-report`) : resolve(o.out)
  if (existsSync(join(out, 'report.json')))
    return fail(io, `${join(out, 'report.json')} already exists: choose another --out`, 2)
  const opened = openJournalReader(journal)
  if (E.isLeft(opened)) return fail(io, describeJournalError(opened.left), 2)
  const report = await buildReport(opened.right, createBuiltinEngine(), `bahi report: ${journal}`).finally(() =>
    opened.right.close(),
  )
  if (E.isLeft(report)) return fail(io, report.left, 1)
  const run = report.right.run as { readonly runId?: string; readonly mode?: string; readonly events?: number }
  if (run.runId === undefined) return fail(io, `${journal} has no run manifest (RunStarted): nothing to report on`, 2)
  const files = writeReport(out, { ...report.right, title: `bahi report: ${run.runId} (${run.mode ?? 'run'})` })
  if (E.isLeft(files)) return fail(io, files.left, 1)
  const m = report.right.metrics as { readonly netPnl?: number; readonly closedTrades?: number }
  printResult(
    io,
    o.json,
    {
      journal,
      runId: run.runId,
      mode: run.mode,
      events: run.events,
      report: files.right,
      metrics: report.right.metrics,
    },
    [
      `bahi report: ${run.runId} (${run.mode}), ${run.events} events: ${m.closedTrades} closed trades, net PnL ${m.netPnl} INR`,
      `  report: ${files.right.html}`,
    ],
  )
  return 0
}

const fail = (io: CliIo, message: string, code: ExitCode): ExitCode => {
  io.err(`bahi report: ${message}`)
  return code
}
