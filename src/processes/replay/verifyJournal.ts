import * as E from 'fp-ts/lib/Either.js'
import type { JournalReader } from '../../journal/index.js'
import { describeJournalError } from '../../journal/index.js'
import { createVerifier, type Divergence, type Engine, type EngineState } from '../../projections/index.js'

// Audit replay of a whole journal (or up to `to`): every decision re-derived from the recorded inputs.

export interface VerifyReport {
  readonly events: number
  readonly divergence: Divergence | undefined
  readonly state: EngineState
}

export const verifyJournal = async (
  reader: JournalReader,
  engine: Engine,
  to?: number,
): Promise<E.Either<string, VerifyReport>> => {
  const verifier = createVerifier(engine)
  let stopped = false
  const scanned = await reader.scan({ to: to ?? reader.lastSeq() }, (e) => {
    // The first divergence is the report: no need to read further.
    stopped = verifier.feed(e) !== undefined
    return !stopped
  })
  if (E.isLeft(scanned)) return E.left(describeJournalError(scanned.left))
  // When stopping early at `to`, decisions caused by events up to `to` but recorded after it are not missing.
  const divergence = stopped
    ? verifier.finish()
    : to === undefined || to >= reader.lastSeq()
      ? verifier.finish()
      : undefined
  return E.right({ events: verifier.events(), divergence, state: verifier.state() })
}
