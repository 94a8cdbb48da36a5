import * as E from 'fp-ts/lib/Either.js'
import { type BarColumns, type Envelope, type EventDraft, isBarColumns } from '../../domain/events/index.js'
import type { Journal, JournalError } from '../../journal/index.js'
import type { Engine, EngineState } from '../../projections/index.js'
import { type NoManifest, noManifest, runBarCascade, runCascade } from './cascade.js'

// The batch driver: inputs as fast as the source gives them (a backtest), each input's cascade stepped at once, and
// the journal written in large group-committed batches. Decisions have no effects outside the engine here (the
// broker is the in-loop simulator), so nothing waits for durability except the end of the run (`journal.sync()`).

export interface BatchRunOptions {
  readonly journal: Journal
  readonly engine: Engine
  readonly state: EngineState
  /** Chunks of inputs: drafts, or bar columns (a store's chunks, stepped row by row without drafts). */
  readonly inputs: AsyncIterable<readonly EventDraft[] | BarColumns> | Iterable<readonly EventDraft[] | BarColumns>
  /** Events per journal append; default 16384. */
  readonly batchEvents?: number
  /** Appends in flight at once before the driver waits; default 4. */
  readonly maxInFlight?: number
  readonly onProgress?: (inputs: number, events: number) => void
}

export interface BatchRunResult {
  readonly inputs: number
  readonly events: number
  readonly lastSeq: number
}

export const runBatch = async (o: BatchRunOptions): Promise<E.Either<JournalError | NoManifest, BatchRunResult>> => {
  const batchEvents = o.batchEvents ?? 16_384
  const maxInFlight = o.maxInFlight ?? 4
  let nextSeq = o.journal.lastSeq() + 1
  let inputs = 0
  let events = 0
  let pending: Envelope[] = []
  const inFlight: Promise<E.Either<JournalError, unknown>>[] = []
  let failure: JournalError | undefined

  const flush = async (): Promise<void> => {
    if (pending.length === 0) return
    const batch = pending
    pending = []
    const expectedLastSeq = batch[0]!.seq - 1
    inFlight.push(o.journal.append(batch, { expectedLastSeq }))
    while (inFlight.length >= maxInFlight) {
      const r = await inFlight.shift()!
      if (E.isLeft(r)) failure ??= r.left
    }
  }

  for await (const chunk of o.inputs) {
    if (isBarColumns(chunk)) {
      if (chunk.length > 0 && nextSeq === 1) return E.left(noManifest('BarClosed'))
      for (let i = 0; i < chunk.length; i++) nextSeq = runBarCascade(o.engine, o.state, chunk, i, nextSeq, pending)
      inputs += chunk.length
    } else {
      for (const input of chunk) {
        if (nextSeq === 1 && input.type !== 'RunStarted') return E.left(noManifest(input.type))
        nextSeq = runCascade(o.engine, o.state, input, nextSeq, pending)
        inputs++
      }
    }
    if (pending.length >= batchEvents) {
      events += pending.length
      await flush()
      if (failure) return E.left(failure)
      o.onProgress?.(inputs, events)
    }
  }
  events += pending.length
  await flush()
  for (const p of inFlight.splice(0)) {
    const r = await p
    if (E.isLeft(r)) failure ??= r.left
  }
  // A journal opened to sync on demand (a backtest's) is made durable once, here, instead of at every batch.
  if (failure === undefined) {
    const synced = await o.journal.sync()
    if (E.isLeft(synced)) failure = synced.left
  }
  return failure ? E.left(failure) : E.right({ inputs, events, lastSeq: nextSeq - 1 })
}
