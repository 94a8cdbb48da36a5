import { type Envelope, type EventDraft, eventOrigin } from '../../domain/events/index.js'
import type { Engine, EngineState } from './engine.js'

// Audit replay: feed a recorded journal through the engine and check that every recorded decision is re-derived,
// exactly and in order, from the recorded inputs. Inputs (market data, operator commands, venue reports) are taken
// as recorded; decisions the engine derives are queued, and each recorded decision must match the head of the queue.

export interface Divergence {
  /** Seq of the recorded event where the replay first disagrees (or the last seq, if the journal ended early). */
  readonly seq: number
  /** What the engine derived; undefined when the journal holds a decision the engine did not make. */
  readonly expected: EventDraft | undefined
  /** What the journal holds; undefined when the journal ended before the engine's decision. */
  readonly actual: Envelope | undefined
  readonly reason: string
}

export interface Verifier {
  /** Feeds the next recorded event; returns the first divergence (and keeps returning it). */
  readonly feed: (e: Envelope) => Divergence | undefined
  /** Call at the end of the journal: pending decisions that were never recorded are a divergence. */
  readonly finish: () => Divergence | undefined
  readonly state: () => EngineState
  readonly events: () => number
}

/** Stable JSON (sorted keys) so the comparison ignores property order but nothing else. */
export const canonicalJson = (v: unknown): string =>
  JSON.stringify(v, (_k, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : value,
  )

/** The parts of an event a decision is judged on: everything but the seq the journal gave it. */
export const decisionFace = (e: EventDraft): string =>
  canonicalJson({
    type: e.type,
    ts: e.ts,
    causationId: e.causationId ?? null,
    correlationId: e.correlationId ?? null,
    payload: e.payload,
  })

export const createVerifier = (engine: Engine, initial?: EngineState): Verifier => {
  const state = initial ?? engine.initialState()
  const expected: EventDraft[] = []
  let head = 0
  let divergence: Divergence | undefined
  let count = 0
  let lastSeq = 0

  const feed = (e: Envelope): Divergence | undefined => {
    if (divergence !== undefined) return divergence
    count++
    lastSeq = e.seq
    if (head < expected.length) {
      const want = expected[head++]!
      if (decisionFace(want) !== decisionFace(e)) {
        // Copies: the event may be a reused object from a fast scan.
        divergence = {
          seq: e.seq,
          expected: want,
          actual: structuredClone(e),
          reason: 'recorded event differs from the re-derived decision',
        }
        return divergence
      }
      if (head > 4096 && head * 2 > expected.length) {
        expected.splice(0, head)
        head = 0
      }
    } else if (eventOrigin(e, state.trading.run?.broker ?? 'simulated') === 'decision') {
      divergence = {
        seq: e.seq,
        expected: undefined,
        actual: structuredClone(e),
        reason: 'recorded decision that the engine does not derive',
      }
      return divergence
    }
    const r = engine.step(state, e)
    for (const d of r.decisions) expected.push(d)
    return undefined
  }

  const finish = (): Divergence | undefined => {
    if (divergence !== undefined) return divergence
    if (head < expected.length) {
      divergence = {
        seq: lastSeq,
        expected: expected[head],
        actual: undefined,
        reason: 'journal ends before this re-derived decision',
      }
    }
    return divergence
  }

  return { feed, finish, state: () => state, events: () => count }
}
