import type { PerformanceMetrics } from '../../projections/index.js'

// How a sweep ranks its runs: by one figure of the report, best first. Which end is best depends on the figure:
// more return, Sharpe or profit factor is better, while drawdowns, fees and time in the market are costs, where less
// is better. Sorting every figure the same way put the deepest drawdown first.

/** The figures of the report that a sweep can rank by: every number except the starting equity (one per sweep). */
export type RankMetric = Exclude<
  {
    [K in keyof PerformanceMetrics]-?: PerformanceMetrics[K] extends number | null ? K : never
  }[keyof PerformanceMetrics],
  'startEquity'
>

export type RankDirection = 'higher' | 'lower'

/** Which way is better, per figure. Typed over every number of the report: a new figure has to choose here. */
export const RANK_DIRECTIONS: Readonly<Record<RankMetric, RankDirection>> = {
  endEquity: 'higher',
  netPnl: 'higher',
  totalReturnPct: 'higher',
  cagrPct: 'higher',
  sharpe: 'higher',
  sortino: 'higher',
  maxDrawdown: 'lower',
  maxDrawdownPct: 'lower',
  // More round trips are more evidence for the other figures.
  closedTrades: 'higher',
  winRatePct: 'higher',
  profitFactor: 'higher',
  expectancy: 'higher',
  // Less time with a position open is less time at risk for the same result.
  exposurePct: 'lower',
  fees: 'lower',
}

export const RANK_METRICS = Object.keys(RANK_DIRECTIONS) as readonly RankMetric[]

export const isRankMetric = (s: string): s is RankMetric => Object.hasOwn(RANK_DIRECTIONS, s)

/** The known figures with their better direction, for a refusal: `netPnl, sharpe, ... (higher is better); ...`. */
export const describeRankMetrics = (): string =>
  (['higher', 'lower'] as const)
    .map((d) => `${RANK_METRICS.filter((m) => RANK_DIRECTIONS[m] === d).join(', ')} (${d} is better)`)
    .join('; ')

/** The figure as a number to sort on: the report's only null figure is an infinite profit factor, so +Infinity. */
export const rankValueOf = (m: PerformanceMetrics, metric: RankMetric): number => m[metric] ?? Number.POSITIVE_INFINITY

/** The rows best first by `value` in the metric's direction; ties (and equal infinities) keep run order. */
export const rankRuns = <T extends { readonly run: number; readonly value: number }>(
  rows: readonly T[],
  metric: RankMetric,
): T[] => {
  const sign = RANK_DIRECTIONS[metric] === 'higher' ? -1 : 1
  // Compared, not subtracted: Infinity - Infinity is NaN, which leaves the order to the engine.
  const cmp = (a: number, b: number) => (a < b ? -1 : a > b ? 1 : 0)
  return [...rows].sort((a, b) => sign * cmp(a.value, b.value) || a.run - b.run)
}
