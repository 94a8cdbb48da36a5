import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Envelope, EventDraft } from '../../domain/events/index.js'
import { createStrategyRegistry, streakStrategy } from '../../domain/strategies/index.js'
import { cascadeJournal, streakEngine } from './engine.fixtures.js'
import type { Engine, EngineState } from './engine.js'
import { fromEngineSnapshot, serializeEngineState, toEngineSnapshot } from './engineSnapshot.js'
import { inputsArb } from './generatedJournal.fixtures.js'

// Properties of the engine fold over generated runs (bars, ticks, streak strategies, simulated orders and fills,
// operator kill switches, re-configurations): it is deterministic, a replay equals the live run, and a snapshot
// plus the tail equals the full fold, in state and in every decision the tail derives.

const config = { strategies: createStrategyRegistry([streakStrategy]) }
const engine = streakEngine()

/** Steps every event of a recorded journal (its decisions are in it, so none is fed back); returns each step's. */
const stepAll = (state: EngineState, journal: readonly Envelope[], by: Engine = engine): (readonly EventDraft[])[] =>
  journal.map((e) => by.step(state, e).decisions)

const generatedJournal = inputsArb().map((inputs) => cascadeJournal(engine, inputs))

describe('engine fold over a generated journal', () => {
  it('the generated journals exercise the engine: signals, fills, cancellations, denials', () => {
    const seen = new Set<string>()
    fc.assert(
      fc.property(generatedJournal, (journal) => {
        for (const e of journal) seen.add(e.type)
      }),
      { numRuns: 100, seed: 1 },
    )
    for (const t of ['SignalEmitted', 'OrderRequested', 'OrderFilled', 'OrderCancelled', 'OrderDenied']) {
      expect(seen.has(t), t).toBe(true)
    }
  })

  it('folding the same journal twice, from two fresh engines, gives byte-identical states', () => {
    fc.assert(
      fc.property(generatedJournal, (journal) => {
        const [one, other] = [streakEngine(), streakEngine()]
        const a = one.initialState()
        const b = other.initialState()
        stepAll(a, journal, one)
        stepAll(b, journal, other)
        expect(serializeEngineState(b)).toBe(serializeEngineState(a))
      }),
      { numRuns: 150 },
    )
  })

  it('replaying the journal equals the live run that wrote it, and re-derives every recorded decision', () => {
    fc.assert(
      fc.property(inputsArb(), (inputs) => {
        const live = engine.initialState()
        const journal = cascadeJournal(engine, inputs, live)
        const replay = engine.initialState()
        const derived = stepAll(replay, journal).flat()
        expect(serializeEngineState(replay)).toBe(serializeEngineState(live))
        const recorded = journal.filter((e) => e.causationId !== undefined).map(({ seq: _seq, ...d }) => d)
        expect(derived).toEqual(recorded)
      }),
      { numRuns: 150 },
    )
  })

  it('a snapshot at any point, through JSON, plus the tail equals the full fold, in state and in decisions', () => {
    fc.assert(
      fc.property(
        generatedJournal.chain((journal) => fc.tuple(fc.constant(journal), fc.nat(journal.length))),
        ([journal, k]) => {
          const full = engine.initialState()
          const fullDecisions = stepAll(full, journal)

          const head = engine.initialState()
          stepAll(head, journal.slice(0, k))
          const restored = fromEngineSnapshot(config, JSON.parse(JSON.stringify(toEngineSnapshot(head))))
          if (E.isLeft(restored)) throw new Error(restored.left)
          const tailDecisions = stepAll(restored.right, journal.slice(k))

          expect(serializeEngineState(restored.right)).toBe(serializeEngineState(full))
          expect(tailDecisions).toEqual(fullDecisions.slice(k))
        },
      ),
      { numRuns: 200 },
    )
  })
})
