import * as E from 'fp-ts/lib/Either.js'
import type { Envelope } from '../../domain/events/index.js'
import type { JournalError, JournalReader } from '../../journal/index.js'

// "Why did we buy at 10:42?": walk an event's causation chain back to the input that started it
// (fill <- acceptance <- submission <- order <- signal <- bar), and for an order id, list its whole lifecycle too.

export interface Explanation {
  /** The event asked about first, then its cause, its cause's cause, ... ending at an input. */
  readonly chain: readonly Envelope[]
  /** For an order id: every event about that order, in seq order. */
  readonly lifecycle: readonly Envelope[]
}

export type ExplainError = JournalError | { readonly _tag: 'NotFound'; readonly what: string }

/** Reads one event by seq. */
export const readOne = async (reader: JournalReader, seq: number): Promise<E.Either<ExplainError, Envelope>> => {
  for await (const batch of reader.read({ from: seq, to: seq })) {
    if (E.isLeft(batch)) return batch
    const e = batch.right.find((x) => x.seq === seq)
    if (e !== undefined) return E.right(e)
  }
  return E.left({ _tag: 'NotFound', what: `seq ${seq} (the journal's last seq is ${reader.lastSeq()})` })
}

/** The trading symbols a journal's manifest (seq 1) names its instruments by; none for a journal without them. */
export const manifestSymbols = async (reader: JournalReader): Promise<Readonly<Record<string, string>>> => {
  if (reader.lastSeq() < 1) return {}
  const first = await readOne(reader, 1)
  return E.isRight(first) && first.right.type === 'RunStarted' ? (first.right.payload.instrumentSymbols ?? {}) : {}
}

export const causationChain = async (
  reader: JournalReader,
  start: Envelope,
): Promise<E.Either<ExplainError, Envelope[]>> => {
  const chain = [start]
  let cur = start
  while (cur.causationId !== undefined) {
    const cause = await readOne(reader, cur.causationId)
    if (E.isLeft(cause)) return cause
    chain.push(cause.right)
    cur = cause.right
  }
  return E.right(chain)
}

const orderIdOf = (e: Envelope): string | undefined =>
  e.correlationId ??
  (typeof (e.payload as { orderId?: unknown }).orderId === 'string'
    ? (e.payload as { orderId: string }).orderId
    : undefined)

/** Explains a seq (a number) or an order id (anything else). */
export const explain = async (reader: JournalReader, target: string): Promise<E.Either<ExplainError, Explanation>> => {
  if (/^\d+$/.test(target)) {
    const e = await readOne(reader, Number(target))
    if (E.isLeft(e)) return e
    const chain = await causationChain(reader, e.right)
    return E.isLeft(chain) ? chain : E.right({ chain: chain.right, lifecycle: [] })
  }
  const lifecycle: Envelope[] = []
  // Order events are flat or JSON records, decoded into fresh objects even by `scan`, so keeping them is safe.
  const scanned = await reader.scan({}, (e) => {
    if (e.type !== 'TickReceived' && e.type !== 'BarClosed' && orderIdOf(e) === target) lifecycle.push(e)
  })
  if (E.isLeft(scanned)) return scanned
  const request = lifecycle.find((e) => e.type === 'OrderRequested')
  if (request === undefined) return E.left({ _tag: 'NotFound', what: `order ${target}` })
  const last = lifecycle.at(-1)!
  const chain = await causationChain(reader, last)
  return E.isLeft(chain) ? chain : E.right({ chain: chain.right, lifecycle })
}
