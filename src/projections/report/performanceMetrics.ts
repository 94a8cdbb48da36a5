import { type ClosedTrade, type EquityPoint, istMonthOf, type ReportState } from './backtestReport.js'

// The figures of a backtest report, from the daily equity curve and the closed trades. Conventions (stated in the
// report too): returns are daily, from one IST trading day's closing equity to the next; annualisation uses 252
// trading days; the risk-free rate is 0; Sortino's downside deviation is over all days (negative returns, zero for
// the rest); CAGR uses calendar time between the first and the last event.

export interface PerformanceMetrics {
  readonly startEquity: number
  readonly endEquity: number
  readonly netPnl: number
  readonly totalReturnPct: number
  readonly cagrPct: number
  readonly sharpe: number
  readonly sortino: number
  readonly maxDrawdown: number
  readonly maxDrawdownPct: number
  readonly closedTrades: number
  readonly winRatePct: number
  readonly profitFactor: number
  readonly expectancy: number
  readonly exposurePct: number
  readonly fees: number
  /** `YYYY-MM` -> return % for the month (IST). */
  readonly monthlyReturnsPct: Readonly<Record<string, number>>
}

const round = (n: number, digits = 4): number => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n)

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length)
const stdev = (xs: readonly number[]) => {
  if (xs.length < 2) return 0
  const m = mean(xs)
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1))
}

export const dailyReturns = (startEquityPaise: number, daily: readonly EquityPoint[]): number[] => {
  const out: number[] = []
  let prev = startEquityPaise
  for (const p of daily) {
    out.push(prev === 0 ? 0 : p.equityPaise / prev - 1)
    prev = p.equityPaise
  }
  return out
}

export const maxDrawdownOf = (
  startEquityPaise: number,
  curve: readonly EquityPoint[],
): { paise: number; pct: number } => {
  let peak = startEquityPaise
  let worst = 0
  let worstPct = 0
  for (const p of curve) {
    if (p.equityPaise > peak) peak = p.equityPaise
    const dd = peak - p.equityPaise
    if (dd > worst) worst = dd
    if (peak > 0 && dd / peak > worstPct) worstPct = dd / peak
  }
  return { paise: worst, pct: worstPct * 100 }
}

export const tradeStats = (trades: readonly ClosedTrade[]) => {
  const wins = trades.filter((t) => t.netPnlPaise > 0)
  const grossWin = wins.reduce((a, t) => a + t.netPnlPaise, 0)
  const grossLoss = -trades.filter((t) => t.netPnlPaise < 0).reduce((a, t) => a + t.netPnlPaise, 0)
  return {
    winRatePct: trades.length === 0 ? 0 : (wins.length / trades.length) * 100,
    profitFactor: grossLoss === 0 ? (grossWin > 0 ? Number.POSITIVE_INFINITY : 0) : grossWin / grossLoss,
    expectancyPaise: trades.length === 0 ? 0 : trades.reduce((a, t) => a + t.netPnlPaise, 0) / trades.length,
  }
}

export const computeMetrics = (r: ReportState, startEquityPaise: number, feesPaise: number): PerformanceMetrics => {
  const end = r.daily.at(-1)?.equityPaise ?? startEquityPaise
  const rets = dailyReturns(startEquityPaise, r.daily)
  const sd = stdev(rets)
  const downside = Math.sqrt(rets.reduce((a, x) => a + Math.min(0, x) ** 2, 0) / Math.max(1, rets.length))
  const years = (r.lastTs - r.firstTs) / (365.25 * 86_400_000)
  const total = startEquityPaise === 0 ? 0 : end / startEquityPaise - 1
  const dd = maxDrawdownOf(
    startEquityPaise,
    [...r.intraday, ...r.daily].sort((a, b) => a.ts - b.ts),
  )
  const stats = tradeStats(r.trades)
  const monthly: Record<string, number> = {}
  let monthStart = startEquityPaise
  let month = r.daily[0] === undefined ? '' : istMonthOf(r.daily[0].ts)
  let last = startEquityPaise
  for (const p of r.daily) {
    const m = istMonthOf(p.ts)
    if (m !== month) {
      monthly[month] = round((last / monthStart - 1) * 100)
      monthStart = last
      month = m
    }
    last = p.equityPaise
  }
  if (month !== '') monthly[month] = round((last / monthStart - 1) * 100)
  const span = r.lastTs - r.firstTs
  return {
    startEquity: startEquityPaise / 100,
    endEquity: end / 100,
    netPnl: (end - startEquityPaise) / 100,
    totalReturnPct: round(total * 100),
    cagrPct: round(years > 0 && end > 0 ? ((end / startEquityPaise) ** (1 / years) - 1) * 100 : 0),
    sharpe: round(sd === 0 ? 0 : (mean(rets) / sd) * Math.sqrt(252)),
    sortino: round(downside === 0 ? 0 : (mean(rets) / downside) * Math.sqrt(252)),
    maxDrawdown: dd.paise / 100,
    maxDrawdownPct: round(dd.pct),
    closedTrades: r.trades.length,
    winRatePct: round(stats.winRatePct),
    profitFactor: round(stats.profitFactor),
    expectancy: round(stats.expectancyPaise / 100),
    exposurePct: round(span > 0 ? (r.exposedMs / span) * 100 : 0),
    fees: feesPaise / 100,
    monthlyReturnsPct: monthly,
  }
}
