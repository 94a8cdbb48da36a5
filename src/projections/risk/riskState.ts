import type { Envelope, RiskScope } from '../../domain/events/index.js'
import { DEFAULT_RISK_LIMITS, MAX_ORDERS_PER_SECOND, type RiskLimits } from '../../domain/risk/index.js'
import { istDayNumber } from '../../domain/time/index.js'

// What the risk rules look at, folded from the journal: today's counters (reset at the first event of a new IST
// day), equity peak and drawdown, a window of recent order submissions, and kill switches by scope.

/** How many recent submissions the order-rate window keeps; rules may ask about any count up to this. */
export const ORDER_WINDOW = MAX_ORDERS_PER_SECOND

export interface KillSwitch {
  readonly scope: RiskScope
  readonly target: string
  readonly source: 'operator' | 'rule'
  /** The rule whose breach engaged it (source `rule`). */
  readonly rule?: string
  readonly reason: string
  readonly sinceSeq: number
  readonly sinceTs: number
}

export interface RiskState {
  /** IST day number (days since 1970-01-01 IST) the daily counters belong to; -1 before any event. */
  day: number
  /** Orders that got their first fill today. */
  dailyTradeCount: number
  dailyRealizedPaise: number
  dailyFeesPaise: number
  dailyOrderCount: number
  peakEquityPaise: number
  drawdownPaise: number
  maxDrawdownPaise: number
  /** Ring buffer of the ts of recent OrderSubmitted events; `orderTimesNext` is the next slot. */
  readonly orderTimes: Float64Array
  orderTimesNext: number
  orderTimesCount: number
  /** Engaged kill switches keyed `scope:target` (`global:` for the global one). */
  readonly killSwitches: Map<string, KillSwitch>
  breaches: number
  /** The limits in force (from the last RiskLimitsConfigured). */
  limits: RiskLimits
  /** Equity when the current IST day began: the daily loss limit measures from here. */
  dayStartEquityPaise: number
}

export const createRiskState = (): RiskState => ({
  day: -1,
  dailyTradeCount: 0,
  dailyRealizedPaise: 0,
  dailyFeesPaise: 0,
  dailyOrderCount: 0,
  peakEquityPaise: 0,
  drawdownPaise: 0,
  maxDrawdownPaise: 0,
  orderTimes: new Float64Array(ORDER_WINDOW),
  orderTimesNext: 0,
  orderTimesCount: 0,
  killSwitches: new Map(),
  breaches: 0,
  limits: DEFAULT_RISK_LIMITS,
  dayStartEquityPaise: 0,
})

export const killSwitchKey = (scope: RiskScope, target: string | undefined): string =>
  scope === 'global' ? 'global:' : `${scope}:${target ?? ''}`

/** Submissions in the `windowMs` before (and including) `ts`, counted up to ORDER_WINDOW. */
export const ordersInWindow = (r: RiskState, ts: number, windowMs: number): number => {
  let n = 0
  for (let i = 0; i < r.orderTimesCount; i++) {
    const t = r.orderTimes[(r.orderTimesNext - 1 - i + ORDER_WINDOW) % ORDER_WINDOW]!
    if (ts - t >= windowMs) break
    n++
  }
  return n
}

/** The engaged switch that blocks this strategy and instrument, if any (global first). */
export const blockingKillSwitch = (r: RiskState, strategyId: string, instrumentKey: string): KillSwitch | undefined =>
  r.killSwitches.get('global:') ??
  r.killSwitches.get(`strategy:${strategyId}`) ??
  r.killSwitches.get(`instrument:${instrumentKey}`)

/** Rolls the daily counters over when an event belongs to a later IST day; `equityPaise` is the equity then. */
export const rollDay = (r: RiskState, ts: number, equityPaise: number): void => {
  const day = istDayNumber(ts)
  if (day <= r.day) return
  r.day = day
  r.dayStartEquityPaise = equityPaise
  r.dailyTradeCount = 0
  r.dailyRealizedPaise = 0
  r.dailyFeesPaise = 0
  r.dailyOrderCount = 0
}

/** Tracks equity after every event that moved it. */
export const trackEquity = (r: RiskState, equityPaise: number): void => {
  if (equityPaise > r.peakEquityPaise) r.peakEquityPaise = equityPaise
  r.drawdownPaise = r.peakEquityPaise - equityPaise
  if (r.drawdownPaise > r.maxDrawdownPaise) r.maxDrawdownPaise = r.drawdownPaise
}

/**
 * Folds the events the risk state cares about. `firstFill` says whether a fill was its order's first (the caller
 * knows from the order book), and `realizedPaise` what the fill booked.
 */
export const evolveRisk = (r: RiskState, e: Envelope, firstFill: boolean, realizedPaise: number): RiskState => {
  switch (e.type) {
    case 'OrderSubmitted':
      r.orderTimes[r.orderTimesNext] = e.ts
      r.orderTimesNext = (r.orderTimesNext + 1) % ORDER_WINDOW
      if (r.orderTimesCount < ORDER_WINDOW) r.orderTimesCount++
      r.dailyOrderCount++
      return r
    case 'OrderFilled':
      if (firstFill) r.dailyTradeCount++
      r.dailyRealizedPaise += realizedPaise
      r.dailyFeesPaise += e.payload.feesPaise
      return r
    case 'KillSwitchEngaged': {
      const target = e.payload.scope === 'global' ? '' : (e.payload.target ?? '')
      r.killSwitches.set(killSwitchKey(e.payload.scope, target), {
        scope: e.payload.scope,
        target,
        source: e.payload.source,
        ...(e.payload.rule === undefined ? {} : { rule: e.payload.rule }),
        reason: e.payload.reason,
        sinceSeq: e.seq,
        sinceTs: e.ts,
      })
      return r
    }
    case 'KillSwitchReleased':
      r.killSwitches.delete(killSwitchKey(e.payload.scope, e.payload.target))
      return r
    case 'RiskLimitBreached':
      r.breaches++
      return r
    case 'RiskLimitsConfigured':
      r.limits = e.payload.limits
      return r
    default:
      return r
  }
}
