import * as t from 'io-ts'
import { RiskScope } from '../events/index.js'

// What an operator may ask of a running session (from `bahi kill-switch` / `bahi strategy`, later the dashboard):
// halt or resume trading by scope, and switch a strategy off or on. A command is not an event: the session decides
// whether it applies (`decideOperatorCommand`), and what it records are the events that follow, as operator inputs,
// so a replay re-derives every decision after them without the command.

const Reason = t.refinement(t.string, (s) => s.trim() !== '', 'a reason (non-empty text)')

export const KillSwitchCommand = t.intersection([
  t.type({
    command: t.literal('kill-switch'),
    action: t.keyof({ engage: null, release: null }),
    scope: RiskScope,
    reason: Reason,
  }),
  /** The strategy id (scope `strategy`) or instrument key (scope `instrument`); none for `global`. */
  t.partial({ target: t.string }),
])
export type KillSwitchCommand = t.TypeOf<typeof KillSwitchCommand>

export const StrategyCommand = t.type({
  command: t.literal('strategy'),
  action: t.keyof({ enable: null, disable: null }),
  strategyId: t.string,
  reason: Reason,
})
export type StrategyCommand = t.TypeOf<typeof StrategyCommand>

export const OperatorCommand = t.union([KillSwitchCommand, StrategyCommand])
export type OperatorCommand = t.TypeOf<typeof OperatorCommand>
