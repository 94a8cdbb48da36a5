import type { EventDraft, OrderRequested } from '../../domain/events/index.js'
import { unsafe } from '../../domain/ids/index.js'
import { istDayNumber, istMinuteOfDay } from '../../domain/time/index.js'
import { equityPaise, positionKey } from '../positions/index.js'
import { blockingKillSwitch, type KillSwitch, ordersInWindow } from '../risk/index.js'
import type { TradingState } from '../state/index.js'
import { pendingQty } from './execution.js'
import { DEFAULT_SQUARE_OFF, squareOffMinute } from './exits.js'
import { NO_EVENTS } from './simulatedBroker.js'

// Pre-trade risk rules: pure functions from an order request and the folded state to a denial or nothing. The first
// denial becomes an `OrderDenied` naming the rule, the value and the limit. A broken rule is a fact, not an error.
// Limits come from the state (the last `RiskLimitsConfigured` in the journal), so a replay applies the same ones.
//
// Orders that reduce a position always pass the count, loss and drawdown rules: a halted strategy must still be
// able to get flat. Only the kill switch and the order rate stop those too.

export interface Denial {
  readonly rule: string
  readonly reason: string
  readonly value?: number
  readonly limit?: number
}

export interface RiskRule {
  readonly name: string
  readonly check: (req: OrderRequested['payload'], ts: number, s: TradingState) => Denial | undefined
  /**
   * Whether the answer depends on the order's price, so a strategy's move of a working order's price is judged by it
   * too (`req` is then the order at its new prices, for what is left of it).
   */
  readonly judgesMoves?: boolean
}

/**
 * What the order would do to the strategy's position in the instrument, counting its working orders. The request
 * is already in the order book when the rules run (the step folds before it decides), so it is among them.
 */
const effect = (req: OrderRequested['payload'], s: TradingState) => {
  const held = s.portfolio.positions.get(positionKey(req.strategyId, req.instrumentKey))?.qty ?? 0
  const signed = req.side === 'BUY' ? req.qty : -req.qty
  // A resting exit is not in the pending quantity (execution.ts): judged on its own against the position it protects.
  const after = req.protects === undefined ? held + pendingQty(s, req.strategyId, req.instrumentKey) : held + signed
  const before = after - signed
  return { before, after, reducing: Math.abs(after) < Math.abs(before) && Math.sign(after) * Math.sign(before) >= 0 }
}

/** The price the order is judged at: its limit price, else the instrument's last mark (0 when none is known). */
const priceOf = (req: OrderRequested['payload'], s: TradingState): number =>
  req.limitPricePaise ?? s.portfolio.marks.get(req.instrumentKey)?.markPaise ?? 0

const inr = (paise: number) => (paise / 100).toFixed(2)

/**
 * An engaged kill switch of the order's scope (global, its strategy, or its instrument) stops it. One an operator
 * engaged halts everything; one a rule engaged (a loss or drawdown limit) is reduce-only: exits still pass, so the
 * book can be flattened (NautilusTrader's HALTED and REDUCING trading states).
 */
export const killSwitchRule: RiskRule = {
  name: 'KillSwitch',
  check: (req, _ts, s) => {
    const k = blockingKillSwitch(s.risk, req.strategyId, req.instrumentKey)
    if (k === undefined || (k.source === 'rule' && effect(req, s).reducing)) return undefined
    const where = k.scope === 'global' ? 'global' : `${k.scope} ${k.target}`
    return { rule: 'KillSwitch', reason: `kill switch engaged (${where}) by ${k.source}: ${k.reason}` }
  },
}

/** Upstox answers 429 beyond 10 order requests a second: the rate rule applies this when no limit is configured. */
export const UPSTOX_ORDERS_PER_SECOND = 10

/**
 * At most `maxOrdersPerSecond` (default 10) orders submitted in any one-second window. Orders asked for earlier in the
 * same cascade (a stop and its target, placed by one fill) are not submitted yet when this one is judged: they count
 * too, or every order of a cascade would pass.
 */
export const orderRateRule: RiskRule = {
  name: 'OrderRate',
  check: (req, ts, s) => {
    const max = s.risk.limits.maxOrdersPerSecond ?? UPSTOX_ORDERS_PER_SECOND
    let n = ordersInWindow(s.risk, ts, 1000)
    for (const o of s.orders.working.values()) if (o.status === 'requested' && o.orderId !== req.orderId) n++
    return n >= max
      ? { rule: 'OrderRate', reason: `${n} orders in the last second, limit ${max}`, value: n, limit: max }
      : undefined
  },
}

/** The strategy's absolute position in the instrument, after this order and its working orders, stays within maxQty. */
export const maxQtyRule: RiskRule = {
  name: 'MaxQty',
  check: (req, _ts, s) => {
    const max = s.risk.limits.instruments?.[req.instrumentKey]?.maxQty ?? s.risk.limits.maxQty
    if (max === undefined) return undefined
    const { after, reducing } = effect(req, s)
    if (reducing || Math.abs(after) <= max) return undefined
    return {
      rule: 'MaxQty',
      reason: `position would be ${after} ${req.instrumentKey}, limit ${max}`,
      value: Math.abs(after),
      limit: max,
    }
  },
}

/** The position's value (|qty| x price) after the order stays within maxNotionalPaise. */
export const maxNotionalRule: RiskRule = {
  name: 'MaxNotional',
  judgesMoves: true,
  check: (req, _ts, s) => {
    const max = s.risk.limits.instruments?.[req.instrumentKey]?.maxNotionalPaise ?? s.risk.limits.maxNotionalPaise
    if (max === undefined) return undefined
    const { after, reducing } = effect(req, s)
    const notional = Math.abs(after) * priceOf(req, s)
    if (reducing || notional <= max) return undefined
    return {
      rule: 'MaxNotional',
      reason: `position value would be ${inr(notional)} INR, limit ${inr(max)} INR`,
      value: notional,
      limit: max,
    }
  },
}

/** Account-wide gross exposure (sum of |net qty x mark|) after the order stays within maxGrossExposurePaise. */
export const grossExposureRule: RiskRule = {
  name: 'GrossExposure',
  judgesMoves: true,
  check: (req, _ts, s) => {
    const max = s.risk.limits.maxGrossExposurePaise
    if (max === undefined) return undefined
    const { before, after, reducing } = effect(req, s)
    if (reducing) return undefined
    let gross = 0
    for (const [key, m] of s.portfolio.marks) {
      if (key !== req.instrumentKey) gross += Math.abs(m.netQty * m.markPaise)
    }
    const price = priceOf(req, s)
    const own = s.portfolio.marks.get(req.instrumentKey)?.netQty ?? 0
    gross += Math.abs((own + after - before) * price)
    if (gross <= max) return undefined
    return {
      rule: 'GrossExposure',
      reason: `gross exposure would be ${inr(gross)} INR, limit ${inr(max)} INR`,
      value: gross,
      limit: max,
    }
  },
}

/** After maxDailyTrades orders have filled today, only orders that reduce a position pass. */
export const dailyTradesRule: RiskRule = {
  name: 'DailyTrades',
  check: (req, _ts, s) => {
    const max = s.risk.limits.maxDailyTrades
    if (max === undefined || s.risk.dailyTradeCount < max || effect(req, s).reducing) return undefined
    return {
      rule: 'DailyTrades',
      reason: `${s.risk.dailyTradeCount} trades today, limit ${max}`,
      value: s.risk.dailyTradeCount,
      limit: max,
    }
  },
}

/** Today's loss (equity since the day began, unrealized included). */
export const dailyLossPaise = (s: TradingState): number => s.risk.dayStartEquityPaise - equityPaise(s.portfolio)

/** Once today's loss reaches maxDailyLossPaise, only orders that reduce a position pass. */
export const dailyLossRule: RiskRule = {
  name: 'DailyLoss',
  check: (req, _ts, s) => {
    const max = s.risk.limits.maxDailyLossPaise
    const loss = dailyLossPaise(s)
    if (max === undefined || loss < max || effect(req, s).reducing) return undefined
    return { rule: 'DailyLoss', reason: `loss today ${inr(loss)} INR, limit ${inr(max)} INR`, value: loss, limit: max }
  },
}

/** Once the fall from peak equity reaches maxDrawdownPaise, only orders that reduce a position pass. */
export const drawdownRule: RiskRule = {
  name: 'Drawdown',
  check: (req, _ts, s) => {
    const max = s.risk.limits.maxDrawdownPaise
    const dd = s.risk.drawdownPaise
    if (max === undefined || dd < max || effect(req, s).reducing) return undefined
    return { rule: 'Drawdown', reason: `drawdown ${inr(dd)} INR, limit ${inr(max)} INR`, value: dd, limit: max }
  },
}

/** At and after the strategy's square-off time (default 15:15 IST), only orders that reduce a position pass. */
export const squareOffRule: RiskRule = {
  name: 'SquareOff',
  check: (req, ts, s) => {
    const cfg = s.strategies.get(req.strategyId)?.exits
    const sq = squareOffMinute(cfg)
    if (sq === undefined || istMinuteOfDay(ts) < sq || effect(req, s).reducing) return undefined
    return {
      rule: 'SquareOff',
      reason: `no new exposure after the ${cfg?.squareOff ?? DEFAULT_SQUARE_OFF} IST square-off`,
    }
  },
}

/**
 * A resting exit (docs/exits.md) only ever reduces its position: one asked for a position that has since shrunk or
 * closed (two fills folded in one step) would open the other way, and is denied; so is one asked for while an order
 * of the strategy's own reduces the position (the exits stand aside for it). The next price puts the right ones back.
 */
export const restingExitRule: RiskRule = {
  name: 'RestingExit',
  check: (req, _ts, s) => {
    if (req.protects === undefined) return undefined
    const held = s.portfolio.positions.get(positionKey(req.strategyId, req.instrumentKey))?.qty ?? 0
    const reducible = req.side === 'SELL' ? Math.max(0, held) : Math.max(0, -held)
    if (req.qty > reducible) {
      return {
        rule: 'RestingExit',
        reason: `a ${req.protects} ${req.side} of ${req.qty} would take a position of ${held} past flat`,
        value: req.qty,
        limit: reducible,
      }
    }
    // Asked for before an order of the strategy's own that reduces the position was folded (one cascade decided
    // both): the exits stand aside until that order is done, or the two could both fill.
    const pending = pendingQty(s, req.strategyId, req.instrumentKey)
    if (pending === 0 || Math.sign(pending) === Math.sign(held)) return undefined
    return {
      rule: 'RestingExit',
      reason: `a ${req.protects} stands aside while the strategy's own orders reduce the position by ${Math.abs(pending)}`,
      value: req.qty,
      limit: 0,
    }
  },
}

export const defaultRiskRules: readonly RiskRule[] = [
  restingExitRule,
  killSwitchRule,
  orderRateRule,
  squareOffRule,
  dailyLossRule,
  drawdownRule,
  dailyTradesRule,
  maxQtyRule,
  maxNotionalRule,
  grossExposureRule,
]

export const firstDenial = (
  rules: readonly RiskRule[],
  req: OrderRequested['payload'],
  ts: number,
  s: TradingState,
): Denial | undefined => {
  for (const r of rules) {
    const d = r.check(req, ts, s)
    if (d !== undefined) return d
  }
  return undefined
}

/**
 * The automatic kill switch: after a price or a fill, a daily loss or drawdown at its limit engages the global
 * switch (once), recorded as a `RiskLimitBreached` and a rule-sourced `KillSwitchEngaged` naming the rule. A daily
 * loss stops trading for the day: its switch is released (a rule-sourced `KillSwitchReleased`) at the first price or
 * fill of a later IST day, when the day's loss starts again from zero. A drawdown's switch stays until an operator
 * releases it, as does any switch an operator engaged.
 */
export const breachDecisions = (s: TradingState, ts: number, causationSeq: number): readonly EventDraft[] => {
  const { maxDailyLossPaise, maxDrawdownPaise } = s.risk.limits
  // Asked at every price: with neither limit set and no switch engaged (a backtest's usual case) there is nothing to do.
  if (maxDailyLossPaise === undefined && maxDrawdownPaise === undefined && s.risk.killSwitches.size === 0)
    return NO_EVENTS
  const engaged = s.risk.killSwitches.get('global:')
  const release =
    engaged !== undefined && dailyLossSwitchExpired(engaged, s.risk.day)
      ? releaseDraft(ts, causationSeq, engaged)
      : undefined
  if (engaged !== undefined && release === undefined) return NO_EVENTS
  const breach = breachOf(s, maxDailyLossPaise, maxDrawdownPaise)
  if (breach === undefined) return release === undefined ? NO_EVENTS : [release]
  const engage: EventDraft[] = [
    { type: 'RiskLimitBreached', ts, causationId: unsafe.seq(causationSeq), payload: { scope: 'global', ...breach } },
    {
      type: 'KillSwitchEngaged',
      ts,
      causationId: unsafe.seq(causationSeq),
      payload: { scope: 'global', source: 'rule', reason: `${breach.rule}: ${breach.reason}`, rule: breach.rule },
    },
  ]
  return release === undefined ? engage : [release, ...engage]
}

/** A switch the DailyLoss rule engaged on an earlier IST day than `day` (the day of the event in hand). */
const dailyLossSwitchExpired = (k: KillSwitch, day: number): boolean =>
  k.source === 'rule' && k.rule === 'DailyLoss' && istDayNumber(k.sinceTs) < day

const releaseDraft = (ts: number, causationSeq: number, k: KillSwitch): EventDraft => ({
  type: 'KillSwitchReleased',
  ts,
  causationId: unsafe.seq(causationSeq),
  payload: {
    scope: 'global',
    source: 'rule',
    reason: `a new IST trading day: the daily loss limit starts again (engaged at seq ${k.sinceSeq}: ${k.reason})`,
  },
})

const breachOf = (
  s: TradingState,
  maxDailyLossPaise: number | undefined,
  maxDrawdownPaise: number | undefined,
): { rule: string; value: number; limit: number; reason: string } | undefined => {
  if (maxDailyLossPaise === undefined && maxDrawdownPaise === undefined) return undefined
  const loss = dailyLossPaise(s)
  if (maxDailyLossPaise !== undefined && loss >= maxDailyLossPaise)
    return {
      rule: 'DailyLoss',
      value: loss,
      limit: maxDailyLossPaise,
      reason: `loss today ${inr(loss)} INR reached the ${inr(maxDailyLossPaise)} INR limit`,
    }
  if (maxDrawdownPaise !== undefined && s.risk.drawdownPaise >= maxDrawdownPaise)
    return {
      rule: 'Drawdown',
      value: s.risk.drawdownPaise,
      limit: maxDrawdownPaise,
      reason: `drawdown ${inr(s.risk.drawdownPaise)} INR reached the ${inr(maxDrawdownPaise)} INR limit`,
    }
  return undefined
}
