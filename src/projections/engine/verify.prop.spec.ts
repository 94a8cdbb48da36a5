import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Envelope, eventOrigin } from '../../domain/events/index.js'
import { unsafe } from '../../domain/ids/index.js'
import { RELIANCE, STREAK_A } from '../orders/orderBook.fixtures.js'
import { cascadeJournal, signalEmitted, streakEngine } from './engine.fixtures.js'
import { inputsArb } from './generatedJournal.fixtures.js'
import { createVerifier, type Divergence } from './verify.js'

// The audit replay over journals written by a cascade of generated inputs: an untouched journal verifies, and any
// change to a decision (edited, deleted, or one the engine never made) is found at the event where it happened.

const engine = streakEngine()

const verify = (journal: readonly Envelope[]): Divergence | undefined => {
  const v = createVerifier(engine)
  for (const e of journal) {
    const d = v.feed(e)
    if (d !== undefined) return d
  }
  return v.finish()
}

/** Seq numbers gap-free again after an edit, as the journal would have them. */
const renumbered = (events: readonly Envelope[]): Envelope[] => events.map((e, i) => ({ ...e, seq: unsafe.seq(i + 1) }))

const isDecision = (e: Envelope): boolean => eventOrigin(e, 'simulated') === 'decision'

/** The journal and the index of one of its decisions (journals without decisions are skipped). */
const journalWithDecision = inputsArb()
  .map((inputs) => cascadeJournal(engine, inputs))
  .filter((j) => j.some(isDecision))
  .chain((journal) => {
    const decisions = journal.flatMap((e, i) => (isDecision(e) ? [i] : []))
    return fc.tuple(fc.constant(journal), fc.constantFrom(...decisions))
  })

/** The decision with one field changed: a quantity when it has one, else its reason, venue, broker id or price. */
const tampered = (e: Envelope): Envelope => {
  const p: Record<string, unknown> = { ...e.payload }
  if (typeof p.qty === 'number') p.qty += 1
  else if (typeof p.fillQty === 'number') p.fillQty += 1
  else if (typeof p.reason === 'string') p.reason = `${p.reason} (edited)`
  else if (typeof p.venue === 'string') p.venue = 'elsewhere'
  else if (typeof p.brokerOrderId === 'string') p.brokerOrderId = 'FORGED'
  // A modification's confirmation carries only the order and its new prices.
  else if (typeof p.triggerPricePaise === 'number') p.triggerPricePaise += 5
  else if (typeof p.limitPricePaise === 'number') p.limitPricePaise += 5
  else throw new Error(`no field to tamper with in ${e.type}`)
  return { ...e, payload: p } as Envelope
}

describe('verifying a journal written by the engine', () => {
  it('an untouched journal verifies with no divergence', () => {
    fc.assert(
      fc.property(inputsArb(), (inputs) => {
        expect(verify(cascadeJournal(engine, inputs))).toBeUndefined()
      }),
      { numRuns: 150 },
    )
  })

  it('a decision with a changed quantity or reason diverges at exactly its seq', () => {
    fc.assert(
      fc.property(journalWithDecision, ([journal, i]) => {
        const edited = journal.map((e, j) => (j === i ? tampered(e) : e))
        const d = verify(edited)
        expect(d?.seq).toBe(journal[i]!.seq)
        expect(d?.reason).toBe('recorded event differs from the re-derived decision')
        expect(d?.actual).toEqual(edited[i])
        expect(d?.expected).toEqual((({ seq: _seq, ...draft }) => draft)(journal[i]!))
      }),
      { numRuns: 150 },
    )
  })

  it('a deleted decision diverges where it should have been (or at the end, if it was the last event)', () => {
    fc.assert(
      fc.property(journalWithDecision, ([journal, i]) => {
        const d = verify(renumbered(journal.filter((_, j) => j !== i)))
        if (i === journal.length - 1) {
          expect(d).toMatchObject({ seq: journal.length - 1, reason: 'journal ends before this re-derived decision' })
        } else {
          expect(d).toMatchObject({
            seq: journal[i]!.seq,
            reason: 'recorded event differs from the re-derived decision',
          })
        }
      }),
      { numRuns: 150 },
    )
  })

  it('an extra decision between two cascades is a decision that the engine does not derive', () => {
    const inputIndexes = (j: readonly Envelope[]) => j.flatMap((e, i) => (isDecision(e) ? [] : [i]))
    fc.assert(
      fc.property(
        inputsArb()
          .map((inputs) => cascadeJournal(engine, inputs))
          // Before any input but the first (when the engine owes nothing), or at the very end.
          .chain((journal) =>
            fc.tuple(fc.constant(journal), fc.constantFrom(...inputIndexes(journal).slice(1), journal.length)),
          ),
        ([journal, at]) => {
          const extra = {
            ...signalEmitted({ intent: 'LONG', qty: 1, strategyId: STREAK_A, instrumentKey: RELIANCE }),
            ts: journal[at - 1]!.ts,
            causationId: journal[at - 1]!.seq,
            seq: unsafe.seq(at + 1),
          } as Envelope
          const d = verify(renumbered([...journal.slice(0, at), extra, ...journal.slice(at)]))
          expect(d).toMatchObject({ seq: at + 1, reason: 'recorded decision that the engine does not derive' })
          expect(d?.expected).toBeUndefined()
        },
      ),
      { numRuns: 150 },
    )
  })

  it('an extra decision anywhere diverges at exactly its seq', () => {
    fc.assert(
      fc.property(
        inputsArb()
          .map((inputs) => cascadeJournal(engine, inputs))
          .chain((journal) => fc.tuple(fc.constant(journal), fc.integer({ min: 1, max: journal.length }))),
        ([journal, at]) => {
          const extra = {
            ...signalEmitted({ intent: 'FLAT', strategyId: STREAK_A, instrumentKey: RELIANCE, reason: 'forged' }),
            ts: journal[at - 1]!.ts,
            causationId: journal[at - 1]!.seq,
            seq: unsafe.seq(at + 1),
          } as Envelope
          const d = verify(renumbered([...journal.slice(0, at), extra, ...journal.slice(at)]))
          expect(d?.seq).toBe(at + 1)
        },
      ),
      { numRuns: 150 },
    )
  })
})
