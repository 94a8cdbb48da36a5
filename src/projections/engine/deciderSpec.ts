import { expect } from 'vitest'
import type { Envelope, EventDraft } from '../../domain/events/index.js'
import { unsafe } from '../../domain/ids/index.js'
import type { Engine, EngineState } from './engine.js'

// Test support: given/when/then for the engine step (after emmett's deciderSpecification). The *given* events are
// folded with `engine.evolve` only, so the test states exactly what happened and nothing is decided from them; the
// *when* event is stepped, and its decisions are compared in full (type, payload, ts, causationId, correlationId).
// Seqs are numbered from 1 in the order the events are given, so the when-event's seq is one past the last given.

export interface Outcome {
  /** The when-event as stepped, with its seq: decisions point at it through `causationId`. */
  readonly event: Envelope
  readonly decisions: readonly EventDraft[]
  readonly state: EngineState
  /** Asserts the decisions, in order and in full; returns the state for further checks. */
  readonly then: (expected: readonly EventDraft[]) => EngineState
  readonly thenNothingHappened: () => EngineState
}

export interface Given {
  /**
   * Also steps these events (their decisions are dropped, not fed back): for what only a step reaches, such as the
   * bars that warm a strategy up.
   */
  readonly andStepped: (events: readonly EventDraft[]) => Given
  readonly when: (event: EventDraft) => Outcome
}

const numbered = (d: EventDraft, seq: number): Envelope => ({ ...d, seq: unsafe.seq(seq) }) as Envelope

export const given = (engine: Engine, events: readonly EventDraft[]): Given => {
  const state = engine.initialState()
  let seq = 0
  for (const e of events) engine.evolve(state, numbered(e, ++seq))
  const spec: Given = {
    andStepped: (more) => {
      for (const e of more) engine.step(state, numbered(e, ++seq))
      return spec
    },
    when: (e) => {
      const event = numbered(e, ++seq)
      const { decisions } = engine.step(state, event)
      return {
        event,
        decisions,
        state,
        // biome-ignore lint/suspicious/noThenProperty: given/when/then is the point of this helper; never awaited
        then: (expected) => {
          expect(decisions).toStrictEqual(expected)
          return state
        },
        thenNothingHappened: () => {
          expect(decisions).toStrictEqual([])
          return state
        },
      }
    },
  }
  return spec
}
