import { type ClosedTrade, type EquityPoint, exposureCounts, istMonthOf, type ReportState } from './backtestReport.js'

// The figures of a backtest report, from the daily equity curve, the closed trades and the bar periods. Conventions
// (stated in the report too, METRIC_CONVENTIONS): returns r_i are daily, from one IST trading day's closing equity
// to the next (the first from the starting capital); Sharpe = mean(r) / sample stdev(r) x sqrt(252) and Sortino =
// mean(r) / sqrt(sum(min(r_i, 0)^2) / n) x sqrt(252) (downside deviation over all n days), risk-free rate 0; CAGR
// uses calendar time (365.25-day years) between the first and the last event; exposure is the share of the bar
// periods the run observed at whose end a position was open (market time, not calendar time).

/** The conventions of the figures, as the report states them under its table. */
export const METRIC_CONVENTIONS: readonly string[] = [
  'Money in INR; prices are fill prices after slippage; net PnL of a trade is after its charges.',
  'Returns are daily (IST trading-day closing equity, the first from the starting capital); Sharpe = mean / sample standard deviation of the daily returns x sqrt(252), Sortino = mean / downside deviation (root mean square of the negative returns, over all days) x sqrt(252); risk-free rate 0.',
  'CAGR over calendar time (365.25-day years) between the first and last event.',
  'Exposure = share of market time with a position open: of the bar periods the run observed (one per bar start across instruments, e.g. each minute of the sessions for 1-minute bars), those at whose end any position was open. Nights, weekends and holidays do not count.',
  'Profit factor = gross profit / gross loss of the closed trades; with no losing trade it is infinite: null in report.json, with profitFactorNote saying so (0 with no trade at all).',
  'Max drawdown over the intraday equity samples and daily closes.',
]

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
  /**
   * Gross profit / gross loss of the closed trades. Null when it is infinite (no losing trade): JSON has no infinity
   * (JSON.stringify writes null for it, ambiguous), so `profitFactorNote` says why it is null.
   */
  readonly profitFactor: number | null
  /** Only when `profitFactor` is null: why. */
  readonly profitFactorNote?: typeof INFINITE_PROFIT_FACTOR
  readonly expectancy: number
  /** Percent of the bar periods the run observed at whose end any position was open (METRIC_CONVENTIONS). */
  readonly exposurePct: number
  readonly fees: number
  /** `YYYY-MM` -> return % for the month (IST). */
  readonly monthlyReturnsPct: Readonly<Record<string, number>>
}

/** `profitFactorNote` of a run with winning trades and no losing one. */
export const INFINITE_PROFIT_FACTOR = 'infinite: no losing trades'

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
  const exposure = exposureCounts(r)
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
    ...(Number.isFinite(stats.profitFactor)
      ? { profitFactor: round(stats.profitFactor) }
      : { profitFactor: null, profitFactorNote: INFINITE_PROFIT_FACTOR }),
    expectancy: round(stats.expectancyPaise / 100),
    exposurePct: round(exposure.periods > 0 ? (exposure.exposed / exposure.periods) * 100 : 0),
    fees: feesPaise / 100,
    monthlyReturnsPct: monthly,
  }
}
