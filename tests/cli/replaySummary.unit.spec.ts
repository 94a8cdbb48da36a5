import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createStrategyRegistry, streakStrategy } from '../../src/domain/strategies/index.js'
import { stateSummary } from '../../src/processes/cli/commands/replayCommand.js'
import { killSwitchEngaged, runStarted, streakEngine } from '../../src/projections/engine/engine.fixtures.js'
import { fromEngineSnapshot, serializeEngineState } from '../../src/projections/index.js'
import { numbered } from '../../src/projections/orders/orderBook.fixtures.js'

describe('the state summary of `bahi replay`', () => {
  it('lists kill switches in the same order for a state folded from seq 1 and one restored from its snapshot', () => {
    // given a state that engaged an instrument switch, then a strategy one, then the global one (not key order)
    const engine = streakEngine()
    const folded = engine.initialState()
    const journal = numbered([
      runStarted(),
      killSwitchEngaged('instrument', 'NSE_EQ|INE002A01018'),
      killSwitchEngaged('strategy', 'streak.a'),
      killSwitchEngaged('global'),
    ])
    for (const e of journal) engine.step(folded, e)

    // when it is restored from its snapshot (whose maps are stored by key)
    const restored = fromEngineSnapshot(
      { strategies: createStrategyRegistry([streakStrategy]) },
      JSON.parse(serializeEngineState(folded)),
    )
    if (E.isLeft(restored)) throw new Error(restored.left)

    // then both summaries list the three switches alike, by key
    const scopes = (s: ReturnType<typeof stateSummary>) => s.killSwitches.map((k) => `${k.scope}:${k.target ?? ''}`)
    expect(scopes(stateSummary(folded))).toEqual(['global:', 'instrument:NSE_EQ|INE002A01018', 'strategy:streak.a'])
    expect(stateSummary(restored.right)).toEqual(stateSummary(folded))
  })
})
