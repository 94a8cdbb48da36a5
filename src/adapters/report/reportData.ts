// What a backtest report holds: report.json is exactly this, and report.html is rendered from it (reportHtml.ts).

export interface ReportTrade {
  readonly strategyId: string
  readonly instrumentKey: string
  /** The trading symbol the run named the instrument by, when its manifest says (`RunStarted.instrumentSymbols`). */
  readonly symbol?: string
  readonly side: string
  readonly qty: number
  readonly entryTime: string
  readonly exitTime: string
  readonly entryPrice: number
  readonly exitPrice: number
  readonly netPnl: number
  readonly fees: number
  readonly entryReason: string
  readonly exitReason: string
}

export interface ReportData {
  readonly title: string
  readonly run: Record<string, unknown>
  readonly metrics: Record<string, unknown> & { readonly monthlyReturnsPct: Readonly<Record<string, number>> }
  /** [IST date-time `YYYY-MM-DD HH:MM:SS`, equity INR], in time order. */
  readonly equity: readonly (readonly [string, number])[]
  /** Every closed trade (the page shows at most `TRADES_SHOWN` (reportHtml.ts) of them). */
  readonly trades: readonly ReportTrade[]
  readonly conventions: readonly string[]
  /** Orders the risk rules denied, by rule (`OrderDenied.rule`): why a run traded less than its signals asked. */
  readonly deniedOrders: Readonly<Record<string, number>>
}
