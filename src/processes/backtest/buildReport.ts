import * as E from 'fp-ts/lib/Either.js'
import type { ReportData } from '../../adapters/report/index.js'
import type { Envelope } from '../../domain/events/index.js'
import { formatIst } from '../../domain/time/index.js'
import { describeJournalError, type JournalReader } from '../../journal/index.js'
import {
  computeMetrics,
  createReport,
  type Engine,
  type EngineState,
  METRIC_CONVENTIONS,
  observe,
  observeBar,
} from '../../projections/index.js'

// A backtest report is a fold over the run's events: the report observes the engine state after each one. A run
// folds it as it steps (`reportBuilder().observe` as the driver's step observer), so the journal need not be read
// back; any journal can be reported on the same way by rebuilding the state from it (`buildReport`). Both give the
// same report for the same events (tests/cli/backtest.e2e.spec.ts checks the run's against the journal's).

const ist = (ts: number) => formatIst(ts).slice(0, 19).replace('T', ' ')

export interface ReportBuilder {
  /** Folds each event, `s` being the engine state right after it (a `StepObserver` of the drivers). */
  readonly observe: {
    readonly event: (s: EngineState, e: Envelope) => void
    readonly bar: (s: EngineState, ts: number, openMs: number) => void
  }
  /** The report of what was folded, `s` being the state after the last event. */
  readonly data: (s: EngineState, title: string) => ReportData
}

export const reportBuilder = (): ReportBuilder => {
  const report = createReport()
  const deniedOrders: Record<string, number> = {}
  // The symbols the run named its instruments by (its manifest's); a journal without them shows keys.
  let symbols: Readonly<Record<string, string>> = {}
  return {
    observe: {
      event: (s, e) => {
        if (e.type === 'OrderDenied') deniedOrders[e.payload.rule] = (deniedOrders[e.payload.rule] ?? 0) + 1
        else if (e.type === 'RunStarted') symbols = e.payload.instrumentSymbols ?? {}
        observe(report, s.trading, e)
      },
      bar: (s, ts, openMs) => {
        observeBar(report, s.trading, ts, openMs)
      },
    },
    data: (s, title) => {
      const t = s.trading
      const metrics = computeMetrics(report, t.portfolio.initialCashPaise, t.portfolio.feesPaise)
      const equity = [...report.intraday, ...report.daily]
        .sort((a, b) => a.ts - b.ts)
        .map((p) => [ist(p.ts), p.equityPaise / 100] as const)
      return {
        title,
        run: {
          ...(t.run ?? {}),
          events: t.lastSeq,
          strategies: [...t.strategies.values()],
          ...(Object.keys(symbols).length === 0 ? {} : { instrumentSymbols: { ...symbols } }),
        },
        metrics: { ...metrics },
        equity,
        trades: report.trades.map((x) => ({
          strategyId: x.strategyId,
          instrumentKey: x.instrumentKey,
          ...(symbols[x.instrumentKey] === undefined ? {} : { symbol: symbols[x.instrumentKey]! }),
          side: x.side,
          qty: x.qty,
          entryTime: ist(x.entryTs),
          exitTime: ist(x.exitTs),
          entryPrice: Math.round(x.entryPricePaise) / 100,
          exitPrice: Math.round(x.exitPricePaise) / 100,
          netPnl: x.netPnlPaise / 100,
          fees: x.feesPaise / 100,
          entryReason: x.entryReason,
          exitReason: x.exitReason,
        })),
        conventions: METRIC_CONVENTIONS,
        deniedOrders: { ...deniedOrders },
      }
    },
  }
}

/** The report of a journal: the engine state rebuilt event by event, observed after each. */
export const buildReport = async (
  reader: JournalReader,
  engine: Engine,
  title: string,
): Promise<E.Either<string, ReportData>> => {
  const state = engine.initialState()
  const builder = reportBuilder()
  const scanned = await reader.scan({}, (e) => {
    engine.evolve(state, e)
    builder.observe.event(state, e)
  })
  if (E.isLeft(scanned)) return E.left(describeJournalError(scanned.left))
  return E.right(builder.data(state, title))
}
