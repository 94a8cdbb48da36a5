import type { OrderRequested } from '../../domain/events/index.js'
import { blockingKillSwitch, ordersInWindow } from '../risk/index.js'
import type { TradingState } from '../state/index.js'

// Pre-trade risk rules: pure functions from an order request and the folded state to a denial or nothing. The first
// denial becomes an `OrderDenied` naming the rule, the value and the limit. A broken rule is a fact, not an error.

export interface Denial {
  readonly rule: string
  readonly reason: string
  readonly value?: number
  readonly limit?: number
}

export interface RiskRule {
  readonly name: string
  readonly check: (req: OrderRequested['payload'], ts: number, s: TradingState) => Denial | undefined
}

/** No order passes an engaged kill switch of its scope (global, its strategy, or its instrument). */
export const killSwitchRule: RiskRule = {
  name: 'KillSwitch',
  check: (req, _ts, s) => {
    const k = blockingKillSwitch(s.risk, req.strategyId, req.instrumentKey)
    if (k === undefined) return undefined
    const where = k.scope === 'global' ? 'global' : `${k.scope} ${k.target}`
    return { rule: 'KillSwitch', reason: `kill switch engaged (${where}) by ${k.source}: ${k.reason}` }
  },
}

/** At most `maxPerSecond` orders submitted in any one-second window (Upstox allows 10 order requests/s). */
export const orderRateRule = (maxPerSecond = 10): RiskRule => ({
  name: 'OrderRate',
  check: (_req, ts, s) => {
    const n = ordersInWindow(s.risk, ts, 1000)
    return n >= maxPerSecond
      ? {
          rule: 'OrderRate',
          reason: `${n} orders in the last second, limit ${maxPerSecond}`,
          value: n,
          limit: maxPerSecond,
        }
      : undefined
  },
})

export const defaultRiskRules: readonly RiskRule[] = [killSwitchRule, orderRateRule(10)]

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
