import * as E from 'fp-ts/lib/Either.js'
import {
  type AppendItem,
  type BarColumns,
  type Envelope,
  type EventDraft,
  isBarColumns,
} from '../../domain/events/index.js'
import type { Journal, JournalError } from '../../journal/index.js'
import type { Engine, EngineState } from '../../projections/index.js'
import { BarCursor, type NoManifest, noManifest, runBarRows, runCascade, type StepObserver } from './cascade.js'

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
  /**
   * Whether the run ends with `journal.sync()` (default true). False leaves it to the caller, who may have work to do
   * while the disk flushes (a backtest writes its snapshot).
   */
  readonly sync?: boolean
  /** Sees every event right after it is stepped (see `StepObserver`). */
  readonly observe?: StepObserver
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
  // What the next append gets: drafts, and runs of bar rows (quiet bars of a store's chunk, with no object each).
  let pending: AppendItem[] = []
  let pendingFirstSeq = nextSeq
  const cursor = new BarCursor()
  const cascade: Envelope[] = []
  const inFlight: Promise<E.Either<JournalError, unknown>>[] = []
  let failure: JournalError | undefined

  const flush = async (): Promise<void> => {
    if (nextSeq === pendingFirstSeq) return
    const batch = pending
    const expectedLastSeq = pendingFirstSeq - 1
    events += nextSeq - pendingFirstSeq
    pending = []
    pendingFirstSeq = nextSeq
    inFlight.push(o.journal.append(batch, { expectedLastSeq }))
    while (inFlight.length >= maxInFlight) {
      const r = await inFlight.shift()!
      if (E.isLeft(r)) failure ??= r.left
    }
  }

  for await (const chunk of o.inputs) {
    if (isBarColumns(chunk)) {
      if (chunk.length > 0 && nextSeq === 1) return E.left(noManifest('BarClosed'))
      nextSeq = runBarRows(o.engine, o.state, chunk, nextSeq, cursor, pending, o.observe)
      inputs += chunk.length
    } else {
      for (const input of chunk) {
        if (nextSeq === 1 && input.type !== 'RunStarted') return E.left(noManifest(input.type))
        nextSeq = runCascade(o.engine, o.state, input, nextSeq, cascade, o.observe)
        for (const e of cascade) pending.push(e)
        cascade.length = 0
        inputs++
      }
    }
    if (nextSeq - pendingFirstSeq >= batchEvents) {
      await flush()
      if (failure) return E.left(failure)
      o.onProgress?.(inputs, events)
    }
  }
  await flush()
  for (const p of inFlight.splice(0)) {
    const r = await p
    if (E.isLeft(r)) failure ??= r.left
  }
  // A journal opened to sync on demand (a backtest's) is made durable once, here, instead of at every batch.
  if (failure === undefined && o.sync !== false) {
    const synced = await o.journal.sync()
    if (E.isLeft(synced)) failure = synced.left
  }
  return failure ? E.left(failure) : E.right({ inputs, events, lastSeq: nextSeq - 1 })
}
