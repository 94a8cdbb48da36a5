import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Envelope, EventDraft } from '../../domain/events/index.js'
import { unsafe } from '../../domain/ids/index.js'
import type { OperatorCommand } from '../../domain/operator/index.js'
import { INFY, RELIANCE, STREAK_A, T0 } from '../orders/orderBook.fixtures.js'
import { killSwitchEngaged, runStarted, strategyConfigured, streakEngine } from './engine.fixtures.js'
import { decideOperatorCommand } from './operatorCommands.js'

// Known answers for operator commands: what each becomes against a session's state, and each refusal's words.

const engine = streakEngine()
const TS = T0 + 5_000

/** The trading state after `events` (folded, nothing decided), and the command decided against it. */
const decide = (events: readonly EventDraft[], cmd: OperatorCommand) => {
  const s = engine.initialState()
  for (const [i, e] of events.entries()) engine.evolve(s, { ...e, seq: unsafe.seq(i + 1) } as Envelope)
  return decideOperatorCommand(cmd, s.trading, TS)
}

const session = [runStarted(), strategyConfigured({ params: { bars: 2, qty: 10 }, exits: { stopLossPct: 1 } })]
const halt = (o: Partial<Extract<OperatorCommand, { command: 'kill-switch' }>> = {}): OperatorCommand => ({
  command: 'kill-switch',
  action: 'engage',
  scope: 'global',
  reason: 'news',
  ...o,
})

describe('operator kill switches', () => {
  it('engaging the global switch becomes an operator KillSwitchEngaged at the given time', () => {
    expect(decide(session, halt())).toEqual(
      E.right([
        { type: 'KillSwitchEngaged', ts: TS, payload: { scope: 'global', source: 'operator', reason: 'news' } },
      ]),
    )
  })

  it('a strategy or instrument switch names its target, which must be one of the session', () => {
    expect(decide(session, halt({ scope: 'instrument', target: RELIANCE }))).toEqual(
      E.right([
        {
          type: 'KillSwitchEngaged',
          ts: TS,
          payload: { scope: 'instrument', target: RELIANCE, source: 'operator', reason: 'news' },
        },
      ]),
    )
    expect(decide(session, halt({ scope: 'instrument', target: INFY }))).toEqual(
      E.left(`an instrument kill switch needs the key of an instrument the session trades (${RELIANCE}), got ${INFY}`),
    )
    expect(decide(session, halt({ scope: 'strategy' }))).toEqual(
      E.left(`a strategy kill switch needs the id of one of the session's strategies (${STREAK_A}), got none`),
    )
    expect(decide(session, halt({ target: 'x' }))).toEqual(E.left('a global kill switch takes no target'))
  })

  it('an operator switch is not engaged twice; a rule switch may be taken over by an operator (halting exits too)', () => {
    const byOperator = [...session, killSwitchEngaged('global', undefined, { source: 'operator', reason: 'first' })]
    expect(decide(byOperator, halt())).toEqual(
      E.left('the global kill switch is already engaged by an operator (seq 3: first)'),
    )
    const byRule = [...session, killSwitchEngaged('global', undefined, { source: 'rule', reason: 'DailyLoss: x' })]
    expect(E.isRight(decide(byRule, halt()))).toBe(true)
  })

  it('releasing needs an engaged switch of that scope, and becomes an operator KillSwitchReleased', () => {
    expect(decide(session, halt({ action: 'release' }))).toEqual(E.left('no global kill switch is engaged'))
    const halted = [...session, killSwitchEngaged('strategy', STREAK_A, { source: 'rule', reason: 'x' })]
    expect(decide(halted, halt({ action: 'release', scope: 'strategy', target: STREAK_A, reason: 'ok' }))).toEqual(
      E.right([
        {
          type: 'KillSwitchReleased',
          ts: TS,
          payload: { scope: 'strategy', target: STREAK_A, source: 'operator', reason: 'ok' },
        },
      ]),
    )
  })
})

describe('operator strategy switches', () => {
  it('disabling re-configures the strategy with everything else as it was, and the reason', () => {
    expect(
      decide(session, { command: 'strategy', action: 'disable', strategyId: STREAK_A, reason: 'odd fills' }),
    ).toEqual(
      E.right([
        {
          type: 'StrategyConfigured',
          ts: TS,
          payload: {
            strategyId: STREAK_A,
            kind: 'streak',
            params: { bars: 2, qty: 10 },
            instruments: [RELIANCE],
            enabled: false,
            exits: { stopLossPct: 1 },
            reason: 'operator: odd fills',
          },
        },
      ]),
    )
  })

  it('refuses an unknown strategy, and a switch to the state it is already in', () => {
    expect(decide(session, { command: 'strategy', action: 'disable', strategyId: 'nope', reason: 'r' })).toEqual(
      E.left(`no strategy nope in this session (${STREAK_A})`),
    )
    expect(decide(session, { command: 'strategy', action: 'enable', strategyId: STREAK_A, reason: 'r' })).toEqual(
      E.left(`strategy ${STREAK_A} is already enabled`),
    )
  })
})
