import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { Envelope, type EventDraft, TIMEFRAMES } from '../domain/events/index.js'
import { InstrumentKey, unsafe } from '../domain/ids/index.js'
import { openFileJournal, openJournalReader } from './fileJournal.js'
import {
  bar,
  envelopesOf,
  INSTRUMENTS,
  orderFilled,
  orderRequested,
  readAll,
  removeDir,
  runStarted,
  scanAll,
  strategyConfigured,
  tempDir,
  tick,
  unwrap,
} from './journal.fixtures.js'

// Properties of the journal over generated batches of valid drafts: what is read back is what was written, scan
// sees what read sees, and an invalid draft anywhere in a batch refuses the whole batch and changes nothing.

const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined })
const nat = fc.oneof(fc.nat({ max: 1_000_000 }), fc.maxSafeNat())
const price = fc.oneof(
  fc.integer({ min: 1, max: 10_000_000 }),
  fc.maxSafeNat().filter((n) => n > 0),
)
const paise = fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.maxSafeInteger())
const instrumentKey = fc.oneof(
  fc.constantFrom(...INSTRUMENTS),
  fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}\|[A-Za-z0-9][A-Za-z0-9 &.-]{0,24}$/).filter((k) => InstrumentKey.is(k)),
)
const orderId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,39}$/)
const text = fc.string({ unit: 'grapheme', maxLength: 40 })

/** Envelope metadata; `causationId` is a raw number, made an earlier seq once the seqs are known (see `number`). */
const meta = fc.record({
  ts: nat,
  causationId: opt(fc.integer({ min: 1, max: 1_000_000 })),
  correlationId: opt(text),
})

const tickDraft = fc
  .tuple(
    meta,
    fc.record({
      instrumentKey,
      ltpPaise: price,
      lttMs: nat,
      ltq: nat,
      volume: opt(nat),
      oi: opt(nat),
      bidPaise: opt(paise),
      askPaise: opt(paise),
      bidQty: opt(nat),
      askQty: opt(nat),
    }),
  )
  .map(([m, p]) => tick({ ...m, ...p }))

const barDraft = fc
  .tuple(
    meta,
    fc.record({
      instrumentKey,
      timeframe: fc.constantFrom(...TIMEFRAMES),
      openMs: nat,
      openPaise: price,
      highPaise: price,
      lowPaise: price,
      closePaise: price,
      volume: nat,
      oi: opt(nat),
      afterGap: opt(fc.constant(true as const)),
    }),
  )
  .map(([m, p]) => bar({ ...m, ...p }))

const jsonDraft = fc.oneof(
  fc
    .tuple(meta, orderId, instrumentKey, fc.constantFrom('BUY', 'SELL'), fc.integer({ min: 1, max: 1e6 }), opt(price))
    .map(([m, id, key, side, qty, limit]) =>
      orderRequested({ ...m, orderId: id, instrumentKey: key, side, qty, limitPricePaise: limit }),
    ),
  fc
    .tuple(meta, orderId, text, fc.integer({ min: 1, max: 1e6 }), price, fc.maxSafeNat())
    .map(([m, id, tradeId, fillQty, fillPricePaise, feesPaise]) =>
      orderFilled({ ...m, orderId: id, tradeId, fillQty, fillPricePaise, feesPaise }),
    ),
  fc
    .tuple(meta, text, fc.double({ noNaN: true, noDefaultInfinity: true }))
    // (JSON has no -0: a seed of -0 reads back as 0, which is the same seed)
    .map(([m, runId, seed]) => runStarted({ ...m, runId, seed: Object.is(seed, -0) ? 0 : seed })),
  fc
    .tuple(
      meta,
      fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4, noNullPrototype: true }),
      fc.array(instrumentKey, { maxLength: 3 }),
    )
    // JSON payloads are stored as JSON, which has no -0 (fc.jsonValue can make one): a -0 reads back as 0, the same
    // number. Generate what JSON can hold, so "reads back exactly" means exactly.
    .map(([m, params, instruments]) =>
      strategyConfigured({ ...m, params: JSON.parse(JSON.stringify(params)) as typeof params, instruments }),
    ),
)

const draft = fc.oneof(
  { weight: 4, arbitrary: tickDraft },
  { weight: 2, arbitrary: barDraft },
  { weight: 1, arbitrary: jsonDraft },
)
const batches = fc.array(fc.array(draft, { minLength: 1, maxLength: 25 }), { minLength: 1, maxLength: 6 })

/** Makes every causationId an earlier seq (or drops it for seq 1), given that the batches are appended from seq 1. */
const number = (bs: EventDraft[][]): EventDraft[][] => {
  let seq = 0
  return bs.map((b) =>
    b.map((d) => {
      seq++
      if (d.causationId === undefined) return d
      const { causationId, ...rest } = d
      return (
        seq === 1 ? rest : { ...rest, causationId: unsafe.seq(1 + ((causationId - 1) % (seq - 1))) }
      ) as EventDraft
    }),
  )
}

/** A failing property stops shrinking after 30 s and reports what it has, rather than running into the test timeout. */
const RUN = { interruptAfterTimeLimit: 30_000 }

const withJournal = async <A>(f: (dir: string) => Promise<A>): Promise<A> => {
  const dir = tempDir('prop')
  try {
    return await f(dir)
  } finally {
    removeDir(dir)
  }
}

describe('file journal properties', () => {
  it('reads back exactly what was appended, and scan equals read, for any batches of valid drafts', async () => {
    await fc.assert(
      fc.asyncProperty(
        batches,
        fc.integer({ min: 256, max: 8192 }),
        fc.boolean(),
        fc.nat(),
        fc.nat(),
        async (raw, segmentBytes, concurrent, a, b) => {
          await withJournal(async (dir) => {
            // given a new journal and generated batches
            const bs = number(raw)
            const journal = unwrap(openFileJournal(dir, { segmentBytes }))
            try {
              // when they are appended one after the other, or all at once
              const acks = concurrent
                ? await Promise.all(bs.map((batch) => journal.append(batch)))
                : await bs.reduce<Promise<E.Either<unknown, unknown>[]>>(
                    async (acc, batch) => [...(await acc), await journal.append(batch)],
                    Promise.resolve([]),
                  )

              // then each batch got the next seqs
              let next = 1
              expect(acks).toEqual(
                bs.map((batch) => {
                  const ack = { firstSeq: next, lastSeq: next + batch.length - 1 }
                  next += batch.length
                  return E.right(ack)
                }),
              )
              // and read gives back the drafts with their seqs, events the domain codec accepts
              const want = envelopesOf(bs.flat(), 1)
              const back = await readAll(journal)
              expect(back.error).toBeUndefined()
              expect(back.events).toStrictEqual(want)
              expect(back.events.filter((e) => !Envelope.is(e))).toEqual([])
              // and scan visits the same events
              const scanned = await scanAll(journal)
              expect(scanned.events).toStrictEqual(back.events)
              // and so does a range, through read and scan alike
              const last = want.length
              const [from, to] = [1 + (a % last), 1 + (b % last)].sort((x, y) => x - y) as [number, number]
              expect((await readAll(journal, { from, to })).events).toStrictEqual(want.slice(from - 1, to))
              expect((await scanAll(journal, { from, to })).events).toStrictEqual(want.slice(from - 1, to))
            } finally {
              await journal.close()
            }
            // and a reader opened afterwards sees the same
            const reader = unwrap(openJournalReader(dir))
            expect((await readAll(reader)).events).toStrictEqual(envelopesOf(bs.flat(), 1))
            await reader.close()
          })
        },
      ),
      { ...RUN, numRuns: 60 },
    )
  })

  const invalidDraft = fc.oneof(
    fc.constantFrom(Number.NaN, 0, -5, 1.5, Number.POSITIVE_INFINITY).map((ltpPaise) => tick({ ltpPaise })),
    fc
      .constantFrom('RELIANCE', 'nse_eq|X', 'NSE_EQ|', 'NSE_EQ|a|b', 'NSE_EQ| x')
      .map((k) => tick({ instrumentKey: k })),
    fc.constantFrom(-1, 0.5, Number.NaN).map((volume) => bar({ volume })),
    fc.constantFrom('HOLD', 'buy', '').map((side) => orderRequested({ side })),
    fc.constantFrom(Number.NaN, Number.NEGATIVE_INFINITY).map((seed) => runStarted({ seed })),
  )

  it('refuses a batch with an invalid draft anywhere, naming its index, and changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        batches,
        fc.array(draft, { minLength: 1, maxLength: 20 }),
        invalidDraft,
        fc.nat(),
        async (raw, tailBatch, bad, where) => {
          await withJournal(async (dir) => {
            // given a journal holding generated batches
            const bs = number(raw)
            const journal = unwrap(openFileJournal(dir, { segmentBytes: 4096 }))
            try {
              for (const batch of bs) unwrap(await journal.append(batch))
              const before = (await readAll(journal)).events
              const lastSeq = journal.lastSeq()

              // when a batch with one invalid draft at a random index is appended
              const index = where % (tailBatch.length + 1)
              const batch = [...tailBatch.slice(0, index), bad, ...tailBatch.slice(index)].map((d) => {
                const { causationId: _, ...rest } = d
                return rest as EventDraft
              })
              const r = await journal.append(batch)

              // then it is refused naming that index and type, and the journal is as it was and goes on
              expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'InvalidEvent', index, type: bad.type })
              expect(journal.lastSeq()).toBe(lastSeq)
              expect((await readAll(journal)).events).toStrictEqual(before)
              const good = batch.filter((d) => d !== batch[index])
              expect(await journal.append(good)).toEqual(
                E.right({ firstSeq: lastSeq + 1, lastSeq: lastSeq + good.length }),
              )
              expect((await readAll(journal)).events).toStrictEqual([...before, ...envelopesOf(good, lastSeq + 1)])
            } finally {
              await journal.close()
            }
          })
        },
      ),
      { ...RUN, numRuns: 40 },
    )
  })
})
