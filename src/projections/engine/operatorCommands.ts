import * as E from 'fp-ts/lib/Either.js'
import type {
  EventDraft,
  KillSwitchEngaged,
  KillSwitchReleased,
  StrategyConfigured,
} from '../../domain/events/index.js'
import { unsafe } from '../../domain/ids/index.js'
import type { KillSwitchCommand, OperatorCommand, StrategyCommand } from '../../domain/operator/index.js'
import { killSwitchKey } from '../risk/index.js'
import type { TradingState } from '../state/index.js'

// An operator's command against the session's state: the events it becomes (operator inputs), or why it does not
// apply, named so the operator can act. Pure, like the engine's deciders: the session calls it with the state as it
// is and journals what comes back.
//
// - Engaging a kill switch that an operator already engaged is refused; one a rule engaged (reduce-only) may be
//   engaged again by an operator, which halts exits too. Releasing needs an engaged switch of that scope.
// - A strategy switched on or off is re-configured with everything else as it was, so its warm state is kept.

export const decideOperatorCommand = (
  cmd: OperatorCommand,
  s: TradingState,
  ts: number,
): E.Either<string, readonly EventDraft[]> => {
  switch (cmd.command) {
    case 'kill-switch':
      return killSwitch(cmd, s, ts)
    case 'strategy':
      return strategy(cmd, s, ts)
    default: {
      const never: never = cmd
      throw new Error(`unhandled operator command ${JSON.stringify(never)}`)
    }
  }
}

const targetProblem = (cmd: KillSwitchCommand, s: TradingState): string | undefined => {
  const strategies = [...s.strategies.keys()]
  const instruments = [...new Set([...s.strategies.values()].flatMap((c) => c.instruments))]
  switch (cmd.scope) {
    case 'global':
      return cmd.target === undefined ? undefined : 'a global kill switch takes no target'
    case 'strategy':
      return cmd.target !== undefined && s.strategies.has(cmd.target)
        ? undefined
        : `a strategy kill switch needs the id of one of the session's strategies (${strategies.join(', ')}), got ${cmd.target ?? 'none'}`
    case 'instrument':
      return cmd.target !== undefined && instruments.includes(cmd.target)
        ? undefined
        : `an instrument kill switch needs the key of an instrument the session trades (${instruments.join(', ')}), got ${cmd.target ?? 'none'}`
    default: {
      const never: never = cmd.scope
      throw new Error(`unhandled scope ${String(never)}`)
    }
  }
}

const killSwitch = (cmd: KillSwitchCommand, s: TradingState, ts: number): E.Either<string, readonly EventDraft[]> => {
  const problem = targetProblem(cmd, s)
  if (problem !== undefined) return E.left(problem)
  const where = cmd.scope === 'global' ? 'global' : `${cmd.scope} ${cmd.target}`
  const engaged = s.risk.killSwitches.get(killSwitchKey(cmd.scope, cmd.target))
  const payload = {
    scope: cmd.scope,
    ...(cmd.scope === 'global' ? {} : { target: cmd.target }),
    source: 'operator' as const,
    reason: cmd.reason,
  }
  if (cmd.action === 'engage') {
    if (engaged?.source === 'operator')
      return E.left(
        `the ${where} kill switch is already engaged by an operator (seq ${engaged.sinceSeq}: ${engaged.reason})`,
      )
    const e: EventDraft<KillSwitchEngaged> = { type: 'KillSwitchEngaged', ts, payload }
    return E.right([e])
  }
  if (engaged === undefined) return E.left(`no ${where} kill switch is engaged`)
  const e: EventDraft<KillSwitchReleased> = { type: 'KillSwitchReleased', ts, payload }
  return E.right([e])
}

const strategy = (cmd: StrategyCommand, s: TradingState, ts: number): E.Either<string, readonly EventDraft[]> => {
  const c = s.strategies.get(cmd.strategyId)
  if (c === undefined)
    return E.left(`no strategy ${cmd.strategyId} in this session (${[...s.strategies.keys()].join(', ')})`)
  const enabled = cmd.action === 'enable'
  if (c.enabled === enabled) return E.left(`strategy ${cmd.strategyId} is already ${enabled ? 'enabled' : 'disabled'}`)
  const e: EventDraft<StrategyConfigured> = {
    type: 'StrategyConfigured',
    ts,
    payload: {
      strategyId: unsafe.strategyId(c.strategyId),
      kind: c.kind,
      params: c.params,
      instruments: c.instruments.map(unsafe.instrumentKey),
      enabled,
      exits: c.exits,
      ...(c.product === 'D' ? { product: 'D' as const } : {}),
      reason: `operator: ${cmd.reason}`,
    },
  }
  return E.right([e])
}
