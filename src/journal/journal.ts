import type * as E from 'fp-ts/lib/Either.js'
import type { AppendItem, Envelope } from '../domain/events/index.js'
import type { JournalError } from './journalErrors.js'

// The journal's public face. An embedded file journal implements it today; a networked log (a NATS JetStream
// stream, say) can implement it too: seqs are assigned by the journal, every call is async, reads are streams of
// batches, and failures come back as values.

export interface AppendAck {
  readonly firstSeq: number
  readonly lastSeq: number
}

export interface AppendOptions {
  /** Optimistic concurrency: the append fails with `SeqConflict` unless the journal's last seq is this. */
  readonly expectedLastSeq?: number
}

export interface ReadOptions {
  /** First seq to read (inclusive); default 1. */
  readonly from?: number
  /** Last seq to read (inclusive); default the last durable seq when the read reaches it. */
  readonly to?: number
}

export interface ScanResult {
  readonly count: number
  /** The last seq visited, or `from - 1` if none was. */
  readonly lastSeq: number
}

export interface TailOptions {
  readonly from?: number
  /** Stops the tail (the iterator ends after the batch in hand). */
  readonly signal?: AbortSignal
  /** How often to look for new appends when no file-change notice arrives; default 50 ms. */
  readonly pollMs?: number
}

/**
 * A stream of batches; a failure ends the stream with one `Left` naming the seq and the reason.
 * Batches are in seq order, gap-free, and never empty.
 */
export type EnvelopeStream = AsyncIterable<E.Either<JournalError, readonly Envelope[]>>

export interface JournalReader {
  /** The last durable seq, 0 for an empty journal. */
  readonly lastSeq: () => number
  readonly read: (opts?: ReadOptions) => EnvelopeStream
  /**
   * The fast path for folds: calls `visit` for every event in range, in order. Ticks and bars are handed over in
   * objects that are reused for the next event, so `visit` must copy what it keeps. `visit` may return `false` to
   * stop after that event. Resolves with the number of events visited, or the first error (events before it have
   * been visited).
   */
  readonly scan: (opts: ReadOptions, visit: (e: Envelope) => unknown) => Promise<E.Either<JournalError, ScanResult>>
  /** Reads from `from` and then follows new appends, also those of another process, until aborted. */
  readonly tail: (opts?: TailOptions) => EnvelopeStream
  readonly checkpoint: (name: string) => number | undefined
  readonly close: () => Promise<void>
}

export interface Journal extends JournalReader {
  /**
   * Appends a batch and resolves once it is durable (fsync'd), with the seqs it was given. Concurrent appends are
   * group-committed: one write and one fsync serve all of them. Resolved in call order. A batch is drafts, and runs
   * of bar rows (`BarRows`, one event per row) among them; the items are read before `append` returns, so the caller
   * may reuse them at once.
   */
  readonly append: (items: readonly AppendItem[], opts?: AppendOptions) => Promise<E.Either<JournalError, AppendAck>>
  /**
   * Makes every append so far durable (fsync). A journal that syncs each commit has nothing left to do; one opened to
   * sync on demand (a backtest's) is durable once this resolves. A failure here fails every later append.
   */
  readonly sync: () => Promise<E.Either<JournalError, void>>
  /** Records a named position (e.g. a read model's last applied seq), durably. */
  readonly setCheckpoint: (name: string, seq: number) => Promise<E.Either<JournalError, void>>
}
