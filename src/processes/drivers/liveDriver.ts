import * as E from 'fp-ts/lib/Either.js'
import type { Envelope, EventDraft } from '../../domain/events/index.js'
import type { Journal, JournalError } from '../../journal/index.js'
import type { Engine, EngineState } from '../../projections/index.js'
import { type NoManifest, noManifest, runCascade } from './cascade.js'

// The live driver: one input at a time (feed ticks, broker reports, operator commands), its cascade stepped, the
// whole cascade appended, and only once the journal says it is durable are the decisions handed to `effects`
// (e.g. the broker adapter sending an order). So no order leaves the process before its reason is on disk.

export interface LiveDriver {
  /** Handles one input; resolves with the journalled cascade (input first) once durable and effects started. */
  readonly handle: (input: EventDraft) => Promise<E.Either<JournalError | NoManifest, readonly Envelope[]>>
  readonly state: () => EngineState
}

export interface LiveDriverOptions {
  readonly journal: Journal
  readonly engine: Engine
  readonly state: EngineState
  /** Called with each durable cascade's decisions (not the input), in order. */
  readonly effects?: (decisions: readonly Envelope[]) => void
}

export const createLiveDriver = (o: LiveDriverOptions): LiveDriver => {
  let chain: Promise<unknown> = Promise.resolve()
  let halted: JournalError | undefined

  const handleNow = async (input: EventDraft): Promise<E.Either<JournalError | NoManifest, readonly Envelope[]>> => {
    if (halted) return E.left(halted)
    const out: Envelope[] = []
    const firstSeq = o.journal.lastSeq() + 1
    if (firstSeq === 1 && input.type !== 'RunStarted') return E.left(noManifest(input.type))
    runCascade(o.engine, o.state, input, firstSeq, out)
    const r = await o.journal.append(out, { expectedLastSeq: firstSeq - 1 })
    if (E.isLeft(r)) {
      // The state has moved past what the journal holds: stop rather than trade on an unrecorded state.
      halted = r.left
      return r
    }
    if (out.length > 1) o.effects?.(out.slice(1))
    return E.right(out)
  }

  return {
    handle: (input) => {
      const next = chain.then(() => handleNow(input))
      chain = next
      return next
    },
    state: () => o.state,
  }
}
