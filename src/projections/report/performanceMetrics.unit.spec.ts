import { describe, expect, it } from 'vitest'
import type { ClosedTrade } from './backtestReport.js'
import { dailyReturns, maxDrawdownOf, tradeStats } from './performanceMetrics.js'

// Hand-computed answers for the report's figures.

const trade = (netPnlPaise: number): ClosedTrade => ({
  strategyId: 's',
  instrumentKey: 'NSE_EQ|INE002A01018',
  side: 'LONG',
  qty: 1,
  entryTs: 0,
  exitTs: 1,
  entryPricePaise: 100,
  exitPricePaise: 100,
  netPnlPaise,
  feesPaise: 0,
  entryReason: 'in',
  exitReason: 'out',
})

describe('performance figures', () => {
  it('daily returns chain from the starting equity: 100 -> 110 -> 99 is +10%, -10%', () => {
    const r = dailyReturns(10_000, [
      { ts: 1, equityPaise: 11_000 },
      { ts: 2, equityPaise: 9_900 },
    ])
    expect(r[0]).toBeCloseTo(0.1, 12)
    expect(r[1]).toBeCloseTo(-0.1, 12)
  })

  it('max drawdown is the deepest fall from a running peak, in paise and percent', () => {
    // peak 120 then 90: 30 (25%); a later 130 -> 110 is only 20
    const dd = maxDrawdownOf(
      10_000,
      [100, 120, 90, 130, 110].map((v, i) => ({ ts: i, equityPaise: v * 100 })),
    )
    expect(dd.paise).toBe(3_000)
    expect(dd.pct).toBeCloseTo(25, 12)
  })

  it('win rate, profit factor and expectancy: +300, -100, +100, -200', () => {
    const s = tradeStats([trade(300), trade(-100), trade(100), trade(-200)])
    expect(s.winRatePct).toBe(50)
    expect(s.profitFactor).toBeCloseTo(400 / 300, 12)
    expect(s.expectancyPaise).toBe(25)
  })

  it('no losing trade: an infinite profit factor, not a division by zero', () => {
    expect(tradeStats([trade(10)]).profitFactor).toBe(Number.POSITIVE_INFINITY)
    expect(tradeStats([])).toEqual({ winRatePct: 0, profitFactor: 0, expectancyPaise: 0 })
  })
})
