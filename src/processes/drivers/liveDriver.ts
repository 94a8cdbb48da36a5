import * as E from 'fp-ts/lib/Either.js'
import type { Envelope, EventDraft } from '../../domain/events/index.js'
import type { Journal, JournalError } from '../../journal/index.js'
import type { Engine, EngineState } from '../../projections/index.js'
import { type NoManifest, noManifest, runCascade } from './cascade.js'

// The live driver: one input at a time (feed ticks, broker reports, operator commands), its cascade stepped, the
// whole cascade appended, and only once the journal says it is durable are the decisions handed to `effects`
// (e.g. the broker adapter sending an order). So no order leaves the process before its reason is on disk.
//
// Inputs are stepped the moment they arrive and appended at once, without waiting for the previous cascade's fsync:
// the journal group-commits appends that are in flight together, so at 10,000 ticks/s one fsync serves many ticks
// instead of each tick waiting for its own. The journal resolves appends in call order, so effects still run in
// seq order. If an append fails, every later one fails too (the journal refuses appends after a failure): the driver
// halts and no later effect runs, though the state has moved past what the journal holds.

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
  let halted: JournalError | NoManifest | undefined
  /** The seq the next input gets: past everything appended, durable or still in flight. */
  let nextSeq = o.journal.lastSeq() + 1

  const handle = (input: EventDraft): Promise<E.Either<JournalError | NoManifest, readonly Envelope[]>> => {
    if (halted) return Promise.resolve(E.left(halted))
    if (nextSeq === 1 && input.type !== 'RunStarted') return Promise.resolve(E.left(noManifest(input.type)))
    const out: Envelope[] = []
    const firstSeq = nextSeq
    nextSeq = runCascade(o.engine, o.state, input, firstSeq, out)
    return o.journal.append(out, { expectedLastSeq: firstSeq - 1 }).then((r) => {
      if (E.isLeft(r)) {
        // The state has moved past what the journal holds: stop rather than trade on an unrecorded state.
        halted ??= r.left
        return E.left(halted)
      }
      if (halted) return E.left(halted)
      if (out.length > 1) o.effects?.(out.slice(1))
      return E.right(out)
    })
  }

  return { handle, state: () => o.state }
}
