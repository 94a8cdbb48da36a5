import { describe, expect, it } from 'vitest'
import type { PerformanceMetrics } from '../../projections/index.js'
import { describeRankMetrics, isRankMetric, RANK_DIRECTIONS, rankRuns, rankValueOf } from './sweepRanking.js'

// Best first, whichever way the figure is better.

const rows = (values: readonly number[]) => values.map((value, i) => ({ run: i + 1, value }))

describe('sweep ranking', () => {
  it('puts the highest Sharpe first but the shallowest drawdown and the lowest fees first', () => {
    const runs = rows([12.5, 3, 30, 3])
    expect(rankRuns(runs, 'sharpe').map((r) => r.run)).toEqual([3, 1, 2, 4])
    expect(rankRuns(runs, 'maxDrawdownPct').map((r) => r.run)).toEqual([2, 4, 1, 3])
    expect(rankRuns(runs, 'fees').map((r) => r.run)).toEqual([2, 4, 1, 3])
  })

  it('chooses a direction for every drawdown-like figure and cost, and higher for the returns and ratios', () => {
    const lower = Object.entries(RANK_DIRECTIONS)
      .filter(([, d]) => d === 'lower')
      .map(([m]) => m)
    expect(lower.sort()).toEqual(['exposurePct', 'fees', 'maxDrawdown', 'maxDrawdownPct'])
    for (const m of ['netPnl', 'totalReturnPct', 'cagrPct', 'sharpe', 'sortino', 'profitFactor', 'expectancy'])
      expect(RANK_DIRECTIONS[m as keyof typeof RANK_DIRECTIONS]).toBe('higher')
  })

  it('ranks an infinite profit factor (null in the report) above every finite one, ties by run', () => {
    const m = (profitFactor: number | null) => ({ profitFactor }) as unknown as PerformanceMetrics
    const values = [m(1.5), m(null), m(4), m(null)].map((x) => rankValueOf(x, 'profitFactor'))
    expect(rankRuns(rows(values), 'profitFactor').map((r) => r.run)).toEqual([2, 4, 3, 1])
  })

  it('knows the report figures by name and lists them with their direction', () => {
    expect(isRankMetric('sharpe')).toBe(true)
    expect(isRankMetric('luck')).toBe(false)
    expect(isRankMetric('monthlyReturnsPct')).toBe(false)
    expect(isRankMetric('toString')).toBe(false)
    expect(describeRankMetrics()).toMatch(
      /netPnl, .*sharpe.* \(higher is better\); maxDrawdown, .*fees \(lower is better\)/,
    )
  })
})
