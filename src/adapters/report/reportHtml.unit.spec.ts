import { describe, expect, it } from 'vitest'
import { formatInr } from './formatInr.js'
import type { ReportData, ReportTrade } from './reportData.js'
import { renderReportHtml, TRADES_SHOWN } from './reportHtml.js'
import { timeTicks } from './timeTicks.js'

// The report page's structure for small known reports: axis labels, heat map cells, the trade cap, escaping.

const trade = (i: number, reason = `signal ${i}`): ReportTrade => ({
  strategyId: 'ema-cross.1',
  instrumentKey: i % 2 === 0 ? 'NSE_EQ|INE002A01018' : 'NSE_EQ|INE467B01029',
  side: 'LONG',
  qty: 10,
  entryTime: '2025-01-02 09:30:00',
  exitTime: '2025-01-02 10:30:00',
  entryPrice: 100,
  exitPrice: 101,
  netPnl: i % 2 === 0 ? 10 : -5,
  fees: 1,
  entryReason: reason,
  exitReason: `exit ${i}`,
})

const report = (over: Partial<ReportData> = {}): ReportData => ({
  title: 'test run',
  deniedOrders: {},
  run: { runId: 'bt-1' },
  metrics: { netPnl: 0, monthlyReturnsPct: { '2025-01': 1.5, '2025-02': -2.25, '2026-03': 0.5 } },
  // Three months of daily closes from ₹1,00,000 to ₹1,20,000, then a fall to ₹90,000.
  equity: [
    ['2025-01-01 15:29:00', 100_000],
    ['2025-01-15 15:29:00', 110_000],
    ['2025-02-03 15:29:00', 120_000],
    ['2025-03-03 15:29:00', 90_000],
  ],
  trades: [trade(0), trade(1)],
  conventions: [],
  ...over,
})

const texts = (html: string, cls: string) =>
  [...html.matchAll(new RegExp(`<text class="${cls}"[^>]*>([^<]*)</text>`, 'g'))].map((m) => m[1])

describe('report page', () => {
  it('formats INR with Indian digit grouping', () => {
    expect([formatInr(100_000), formatInr(12_34_567.891, 2), formatInr(-5_000), formatInr(999)]).toEqual([
      '₹1,00,000',
      '₹12,34,567.89',
      '-₹5,000',
      '₹999',
    ])
  })

  it('lists the performance figures labelled and formatted, and an unknown one as it is', () => {
    const html = renderReportHtml(
      report({
        metrics: {
          netPnl: -246_178.72,
          winRatePct: 13.7763,
          sharpe: -30.0701,
          closedTrades: 4711,
          someNewFigure: 7,
          monthlyReturnsPct: {},
        },
      }),
    )
    const rows = [...html.matchAll(/<tr><th>([^<]*)<\/th><td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2]])
    expect(rows).toEqual(
      expect.arrayContaining([
        ['Net PnL (after fees)', '-₹2,46,178.72'],
        ['Win rate', '13.78%'],
        ['Sharpe (daily returns, annualised)', '-30.07'],
        ['Closed trades', '4,711'],
        ['someNewFigure', '7'],
      ]),
    )
  })

  it('shows an infinite profit factor (null in report.json, with its note) as ∞ and the reason, in one row', () => {
    const html = renderReportHtml(
      report({
        metrics: { profitFactor: null, profitFactorNote: 'infinite: no losing trades', monthlyReturnsPct: {} },
      }),
    )
    const rows = [...html.matchAll(/<tr><th>([^<]*)<\/th><td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2]])
    expect(rows.filter(([label]) => label?.startsWith('Profit factor') || label?.startsWith('profitFactor'))).toEqual([
      ['Profit factor', '∞ (no losing trades)'],
    ])
  })

  it('lists the orders the risk rules denied, by rule, most first; none when nothing was denied', () => {
    const rowsOf = (html: string) =>
      [...html.matchAll(/<tr><th>(orders denied by [^<]*)<\/th><td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2]])
    expect(
      rowsOf(renderReportHtml(report({ deniedOrders: { SquareOff: 28, KillSwitch: 300, DailyTrades: 28 } }))),
    ).toEqual([
      ['orders denied by KillSwitch', '300'],
      ['orders denied by DailyTrades', '28'],
      ['orders denied by SquareOff', '28'],
    ])
    expect(rowsOf(renderReportHtml(report()))).toEqual([])
  })

  it('labels the y axis in INR and the shared x axis with the months of the run', () => {
    const html = renderReportHtml(report())
    const y = texts(html, 'ytick')
    expect(y).toEqual(expect.arrayContaining(['₹90,000', '₹1,00,000', '₹1,10,000', '₹1,20,000', '-₹30,000', '₹0']))
    expect(texts(html, 'xtick')).toEqual(['Jan 2025', 'Feb 2025', 'Mar 2025'])
    // Every point has a hover title with its IST date, equity and drawdown.
    expect(html).toContain('<title>2025-03-03 15:29:00 IST: equity ₹90,000.00, drawdown -₹30,000.00 (-25.00%)</title>')
  })

  it('picks date ticks for a single day (hours) and for several years (years)', () => {
    const day = Array.from({ length: 25 }, (_, i) => {
      const m = 9 * 60 + 15 + i * 15
      return `2025-03-12 ${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00`
    })
    expect(timeTicks(day).map((t) => t.label)).toEqual([
      '12 Mar 2025 09:15',
      '10:00',
      '11:00',
      '12:00',
      '13:00',
      '14:00',
      '15:00',
    ])
    const years = ['2021', '2022', '2023', '2024', '2025'].flatMap((y) =>
      ['01', '04', '07', '10'].map((m) => `${y}-${m}-05 15:29:00`),
    )
    expect(timeTicks(years).map((t) => t.label)).toEqual(['2021', '2022', '2023', '2024', '2025'])
  })

  it('draws monthly returns as a years x months heat map with a compounded year column', () => {
    const html = renderReportHtml(report())
    expect(html).toMatch(/title="Jan 2025: 1\.50%">1\.50%<\/td>/)
    expect(html).toMatch(/rgba\(200,30,45,[0-9.]+\)" title="Feb 2025: -2\.25%">-2\.25%/)
    // 1.015 * 0.9775 - 1 = -0.78%
    expect(html).toContain('title="2025 (compounded): -0.78%">-0.78%</td>')
    const rows = [...html.matchAll(/<tr><th>(\d{4})<\/th>/g)].map((m) => m[1])
    expect(rows).toEqual(['2025', '2026'])
    // 12 month cells + the year per row.
    const row2025 = html.slice(html.indexOf('<tr><th>2025</th>'), html.indexOf('<tr><th>2026</th>'))
    expect(row2025.match(/<td/g)).toHaveLength(13)
  })

  it('lists at most TRADES_SHOWN trades (the first and last halves), says how many, and keeps every reason', () => {
    const trades = Array.from({ length: 4_711 }, (_, i) => trade(i))
    const html = renderReportHtml(report({ trades }))
    const listed = [...html.matchAll(/<tr><td>(\d+)<\/td>/g)].map((m) => Number(m[1]))
    expect(listed).toHaveLength(TRADES_SHOWN)
    expect(listed.slice(0, 2)).toEqual([1, 2])
    expect(listed.slice(-2)).toEqual([4_710, 4_711])
    expect(html).toContain('Trades (4,711)')
    expect(html).toContain('… 4,511 trades not shown …')
    expect(html).toContain('<td>signal 4710</td><td>exit 4710</td>')
    // The per-instrument summary counts them all.
    expect(html).toContain(
      '<td>ema-cross.1</td><td>NSE_EQ|INE002A01018</td><td>2356</td><td class="pos">₹23,560.00</td><td>100.0%</td>',
    )
    expect(html.length).toBeLessThan(150_000)
  })

  it('names instruments by the symbol the run gave them, with the key on hover; by key where it gave none', () => {
    const trades = [{ ...trade(0), symbol: 'RELIANCE' }, trade(1), { ...trade(2), symbol: 'RELIANCE' }]
    const html = renderReportHtml(report({ trades }))
    const cells = [...html.matchAll(/<td>ema-cross\.1<\/td>(<td[^>]*>[^<]*<\/td>)<td>(?:LONG|\d)/g)].map((m) => m[1])
    const reliance = '<td title="NSE_EQ|INE002A01018">RELIANCE</td>'
    const tcs = '<td>NSE_EQ|INE467B01029</td>'
    // the per-instrument summary (by key), then the three trades
    expect(cells).toEqual([reliance, tcs, reliance, tcs, reliance])
    // a symbol is text like any string of the run
    const odd = renderReportHtml(report({ trades: [{ ...trade(0), symbol: 'M&M' }] }))
    expect(odd).toContain('<td title="NSE_EQ|INE002A01018">M&#38;M</td>')
  })

  it('escapes strings from the run: a <script> in a reason or a strategy id stays text', () => {
    const evil = '<script>alert("x")</script>'
    const html = renderReportHtml(report({ title: evil, trades: [{ ...trade(0, evil), strategyId: `s${evil}` }] }))
    expect(html).not.toContain('<script')
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;')
  })
})
