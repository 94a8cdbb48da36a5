import * as t from 'io-ts'
import { RiskLimits } from '../risk/index.js'

/** Where a kill switch or limit applies: everything, one strategy, or one instrument. */
export const RiskScope = t.keyof({ global: null, strategy: null, instrument: null })
export type RiskScope = t.TypeOf<typeof RiskScope>

/** Who acted: an operator (an input, recorded as given) or a rule (a decision, re-derived on replay). */
export const ActionSource = t.keyof({ operator: null, rule: null })
export type ActionSource = t.TypeOf<typeof ActionSource>

const scoped = t.intersection([t.type({ scope: RiskScope }), t.partial({ target: t.string })])

export const RiskLimitBreached = t.type({
  type: t.literal('RiskLimitBreached'),
  payload: t.intersection([scoped, t.type({ rule: t.string, value: t.number, limit: t.number, reason: t.string })]),
})
export type RiskLimitBreached = t.TypeOf<typeof RiskLimitBreached>

export const KillSwitchEngaged = t.type({
  type: t.literal('KillSwitchEngaged'),
  payload: t.intersection([
    scoped,
    t.type({ source: ActionSource, reason: t.string }),
    // The rule whose breach engaged it (source `rule`): a DailyLoss switch is released at the next IST day, a
    // Drawdown one only by an operator. Journals from before this field have none, and keep their old behaviour.
    t.partial({ rule: t.string }),
  ]),
})
export type KillSwitchEngaged = t.TypeOf<typeof KillSwitchEngaged>

export const KillSwitchReleased = t.type({
  type: t.literal('KillSwitchReleased'),
  payload: t.intersection([scoped, t.type({ source: ActionSource, reason: t.string })]),
})
export type KillSwitchReleased = t.TypeOf<typeof KillSwitchReleased>

/** The risk limits in force from this event on (an input: configuration, recorded so replays apply it too). */
export const RiskLimitsConfigured = t.type({
  type: t.literal('RiskLimitsConfigured'),
  payload: t.type({ limits: RiskLimits }),
})
export type RiskLimitsConfigured = t.TypeOf<typeof RiskLimitsConfigured>
