import * as E from 'fp-ts/lib/Either.js'
import type { ReportData } from '../../adapters/report/index.js'
import { formatIst } from '../../domain/time/index.js'
import { describeJournalError, type JournalReader } from '../../journal/index.js'
import {
  computeMetrics,
  createReport,
  type Engine,
  METRIC_CONVENTIONS,
  observe,
  positionKey,
} from '../../projections/index.js'

// A backtest report is a fold over the run's journal (so any journal can be reported on, not only a fresh run):
// the engine state is rebuilt event by event and the report observes it.

const ist = (ts: number) => formatIst(ts).slice(0, 19).replace('T', ' ')

export const buildReport = async (
  reader: JournalReader,
  engine: Engine,
  title: string,
): Promise<E.Either<string, ReportData>> => {
  const state = engine.initialState()
  const report = createReport()
  const deniedOrders: Record<string, number> = {}
  const scanned = await reader.scan({}, (e) => {
    if (e.type === 'OrderDenied') deniedOrders[e.payload.rule] = (deniedOrders[e.payload.rule] ?? 0) + 1
    const qtyBefore =
      e.type === 'OrderFilled'
        ? (state.trading.portfolio.positions.get(positionKey(e.payload.strategyId, e.payload.instrumentKey))?.qty ?? 0)
        : 0
    engine.evolve(state, e)
    observe(report, state.trading, e, qtyBefore)
  })
  if (E.isLeft(scanned)) return E.left(describeJournalError(scanned.left))
  const t = state.trading
  const metrics = computeMetrics(report, t.portfolio.initialCashPaise, t.portfolio.feesPaise)
  const equity = [...report.intraday, ...report.daily]
    .sort((a, b) => a.ts - b.ts)
    .map((p) => [ist(p.ts), p.equityPaise / 100] as const)
  return E.right({
    title,
    run: { ...(t.run ?? {}), events: t.lastSeq, strategies: [...t.strategies.values()] },
    metrics: { ...metrics },
    equity,
    trades: report.trades.map((x) => ({
      strategyId: x.strategyId,
      instrumentKey: x.instrumentKey,
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
    deniedOrders,
  })
}
