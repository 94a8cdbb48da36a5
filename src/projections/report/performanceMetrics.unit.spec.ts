import { describe, expect, it } from 'vitest'
import { istInstant } from '../../domain/time/index.js'
import { type ClosedTrade, createReport, type EquityPoint, type ReportState } from './backtestReport.js'
import { computeMetrics, dailyReturns, maxDrawdownOf, tradeStats } from './performanceMetrics.js'

// Hand-computed answers for the report's figures. The conventions under test (METRIC_CONVENTIONS): daily returns r_i
// from one IST day's closing equity to the next, the first from the starting capital; Sharpe = mean(r) / sample
// stdev(r) x sqrt(252); Sortino = mean(r) / sqrt(sum(min(r_i, 0)^2) / n) x sqrt(252); risk-free rate 0; CAGR over
// calendar years of 365.25 days between the first and the last event.

const at = (date: string, hhmm = '15:29'): number => istInstant(date, hhmm) ?? Number.NaN

/** A report state with these daily closes (INR) and nothing else, spanning `firstTs` to the last close. */
const withDailyCloses = (closes: readonly (readonly [string, number])[], firstTs = at(closes[0]![0], '09:15')) => {
  const r: ReportState = createReport()
  const daily: EquityPoint[] = closes.map(([date, inr]) => ({ ts: at(date), equityPaise: inr * 100 }))
  r.daily.push(...daily)
  r.firstTs = firstTs
  r.lastTs = daily.at(-1)!.ts
  return r
}

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

  it('Sharpe and Sortino of +10%, -10%, +10%: sqrt(21) and sqrt(84)', () => {
    // r = [0.1, -0.1, 0.1] from ₹100: ₹110, ₹99, ₹108.90. mean = 1/30; sample variance = (2 x (1/15)^2 + (2/15)^2)
    // / 2 = 1/75, so mean / stdev = (1/30) x sqrt(75) = 1/sqrt(12), and x sqrt(252) = sqrt(21) = 4.5826.
    // Downside deviation = sqrt(0.1^2 / 3) = 1/sqrt(300): mean / it = 1/sqrt(3), and x sqrt(252) = sqrt(84) = 9.1652.
    const r = withDailyCloses([
      ['2025-01-02', 110],
      ['2025-01-03', 99],
      ['2025-01-06', 108.9],
    ])
    const m = computeMetrics(r, 10_000, 0)
    expect(m.sharpe).toBeCloseTo(4.5826, 4)
    expect(m.sortino).toBeCloseTo(9.1652, 4)
    expect(m.totalReturnPct).toBeCloseTo(8.9, 4)
  })

  it('Sharpe and Sortino are 0 for a flat curve, and Sortino 0 with no losing day (no downside to divide by)', () => {
    const flat = computeMetrics(
      withDailyCloses([
        ['2025-01-02', 100],
        ['2025-01-03', 100],
      ]),
      10_000,
      0,
    )
    expect([flat.sharpe, flat.sortino]).toEqual([0, 0])
    // +10%, +5%: mean 0.075, sample stdev 0.05/sqrt(2); Sharpe = 0.075 x sqrt(2) / 0.05 x sqrt(252) = 1.5 x sqrt(504).
    const up = computeMetrics(
      withDailyCloses([
        ['2025-01-02', 110],
        ['2025-01-03', 115.5],
      ]),
      10_000,
      0,
    )
    expect(up.sharpe).toBeCloseTo(1.5 * Math.sqrt(504), 3)
    expect(up.sortino).toBe(0)
  })

  it('CAGR compounds over calendar years: ₹100 to ₹121 in two years of 365.25 days is 10% a year', () => {
    const first = at('2025-01-01', '09:15')
    const r = withDailyCloses(
      [
        ['2025-03-03', 105],
        ['2026-12-31', 121],
      ],
      first,
    )
    r.lastTs = first + 2 * 365.25 * 86_400_000
    const m = computeMetrics(r, 10_000, 0)
    expect(m.cagrPct).toBeCloseTo(10, 4)
    expect(m.totalReturnPct).toBeCloseTo(21, 4)
  })

  it("monthly returns compound the daily closes of each IST month, from the previous month's last close", () => {
    // ₹100 -> ₹110 -> ₹121 in January (+21%), ₹121 -> ₹96.80 in February (-20%), ₹96.80 -> ₹106.48 in April (+10%).
    // A month without a close (March) has no entry.
    const r = withDailyCloses([
      ['2025-01-30', 110],
      ['2025-01-31', 121],
      ['2025-02-03', 96.8],
      ['2025-04-01', 106.48],
    ])
    expect(computeMetrics(r, 10_000, 0).monthlyReturnsPct).toEqual({ '2025-01': 21, '2025-02': -20, '2025-04': 10 })
  })

  it('an infinite profit factor is null in the figures, with a note saying why (JSON has no infinity)', () => {
    const r = withDailyCloses([['2025-01-02', 101]])
    r.trades.push(trade(100))
    const m = computeMetrics(r, 10_000, 0)
    const json = JSON.parse(JSON.stringify(m)) as Record<string, unknown>
    expect([json.profitFactor, json.profitFactorNote]).toEqual([null, 'infinite: no losing trades'])
    r.trades.push(trade(-50))
    const finite = computeMetrics(r, 10_000, 0)
    expect(finite.profitFactor).toBe(2)
    expect('profitFactorNote' in finite).toBe(false)
  })
})
