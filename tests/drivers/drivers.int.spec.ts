import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import type { BarClosed, BarColumns, Envelope, EventDraft } from '../../src/domain/events/index.js'
import { unsafe } from '../../src/domain/ids/index.js'
import { type Journal, openFileJournal, openJournalReader } from '../../src/journal/index.js'
import { createLiveDriver, runBatch } from '../../src/processes/drivers/index.js'
import { verifyJournal } from '../../src/processes/replay/index.js'
import {
  barsClosingAt,
  runStarted,
  strategyConfigured,
  streakEngine,
} from '../../src/projections/engine/engine.fixtures.js'
import { RELIANCE } from '../../src/projections/orders/orderBook.fixtures.js'

// The drivers against a real file journal: what they write verifies by audit replay, a journal starts with its
// manifest, and the live driver starts effects only once a cascade is durable and halts when the journal fails.

const dirs: string[] = []
const tempJournal = (): { dir: string; journal: Journal } => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bahi-drivers-'))
  dirs.push(dir)
  const j = openFileJournal(path.join(dir, 'journal'))
  if (E.isLeft(j)) throw new Error(JSON.stringify(j.left))
  return { dir: path.join(dir, 'journal'), journal: j.right }
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

const readAll = async (dir: string): Promise<Envelope[]> => {
  const r = openJournalReader(dir)
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  const out: Envelope[] = []
  for await (const b of r.right.read()) {
    if (E.isLeft(b)) throw new Error(JSON.stringify(b.left))
    out.push(...b.right)
  }
  await r.right.close()
  return out
}

// Rising closes: streak (bars 2, qty 10) goes long on the third bar; the next bar's open fills the order.
const session: EventDraft[] = [
  runStarted(),
  strategyConfigured(),
  ...barsClosingAt(RELIANCE, [100_000, 100_500, 101_000, 101_500, 102_000]),
]

describe('batch driver', () => {
  it('journals every input and decision, gap-free, and the journal verifies with 0 divergences', async () => {
    const { dir, journal } = tempJournal()
    const engine = streakEngine()
    const state = engine.initialState()
    const r = await runBatch({ journal, engine, state, inputs: [session], batchEvents: 3 })
    await journal.close()
    expect(E.isRight(r)).toBe(true)
    const events = await readAll(dir)
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1))
    expect(E.isRight(r) && r.right).toEqual({ inputs: session.length, events: events.length, lastSeq: events.length })
    const types = events.map((e) => e.type)
    expect(types.filter((t) => t === 'OrderFilled')).toHaveLength(1)
    expect(types.indexOf('SignalEmitted')).toBeLessThan(types.indexOf('OrderRequested'))
    for (const e of events) if (e.causationId !== undefined) expect(e.causationId).toBeLessThan(e.seq)
    expect(state.trading.portfolio.positions.values().next().value?.qty).toBe(10)

    const reader = openJournalReader(dir)
    if (E.isLeft(reader)) throw new Error('reader')
    const verified = await verifyJournal(reader.right, streakEngine())
    await reader.right.close()
    expect(E.isRight(verified) && verified.right.events).toBe(events.length)
    expect(E.isRight(verified) && verified.right.divergence).toBeUndefined()
  })

  it('steps bar columns exactly as it steps the same bars given as drafts: the same journal, event for event', async () => {
    const TCS = unsafe.instrumentKey('NSE_EQ|INE467B01029')
    // Two instruments interleaved, one bar carrying open interest (the other payload shape).
    const bars = [
      ...barsClosingAt(RELIANCE, [100_000, 100_500, 101_000, 101_500, 102_000, 101_000, 100_000]),
      ...barsClosingAt(TCS, [50_000, 50_100, 50_200, 50_300, 50_400, 50_500, 50_600]),
    ].sort(
      (a, b) => a.ts - b.ts || (a.payload.instrumentKey < b.payload.instrumentKey ? -1 : 1),
    ) as EventDraft<BarClosed>[]
    const withOi = bars.map((b, i) => (i === 3 ? { ...b, payload: { ...b.payload, oi: 1_200 } } : b))
    const keys = [RELIANCE, TCS].sort()
    const col = (f: (b: EventDraft<BarClosed>) => number) => Float64Array.from(withOi, f)
    const columns: BarColumns = {
      length: withOi.length,
      keys,
      timeframe: '1m',
      keyIndex: Int32Array.from(withOi, (b) => keys.indexOf(b.payload.instrumentKey)),
      openMs: col((b) => b.payload.openMs),
      tsMs: col((b) => b.ts),
      openPaise: col((b) => b.payload.openPaise),
      highPaise: col((b) => b.payload.highPaise),
      lowPaise: col((b) => b.payload.lowPaise),
      closePaise: col((b) => b.payload.closePaise),
      volume: col((b) => b.payload.volume),
      oi: col((b) => b.payload.oi ?? 0),
    }
    const header = [runStarted(), strategyConfigured({ instruments: keys })]
    const run = async (inputs: (readonly EventDraft[] | BarColumns)[], batchEvents?: number) => {
      const { dir, journal } = tempJournal()
      const engine = streakEngine()
      const state = engine.initialState()
      const r = await runBatch({
        journal,
        engine,
        state,
        inputs,
        ...(batchEvents === undefined ? {} : { batchEvents }),
      })
      await journal.close()
      expect(E.isRight(r)).toBe(true)
      return readAll(dir)
    }
    // The columns also in two chunks, appended a few events at a time (runs of rows split across appends).
    const rowsOf = (from: number, to: number): BarColumns => ({
      ...columns,
      length: to - from,
      keyIndex: columns.keyIndex.subarray(from, to),
      openMs: columns.openMs.subarray(from, to),
      tsMs: columns.tsMs.subarray(from, to),
      openPaise: columns.openPaise.subarray(from, to),
      highPaise: columns.highPaise.subarray(from, to),
      lowPaise: columns.lowPaise.subarray(from, to),
      closePaise: columns.closePaise.subarray(from, to),
      volume: columns.volume.subarray(from, to),
      oi: columns.oi.subarray(from, to),
    })
    const fromDrafts = await run([header, withOi])
    const fromColumns = await run([header, columns])
    const fromChunks = await run([header, rowsOf(0, 5), rowsOf(5, withOi.length)], 3)
    expect(fromDrafts.filter((e) => e.type === 'OrderFilled').length).toBeGreaterThan(1)
    expect(fromColumns).toEqual(fromDrafts)
    expect(fromChunks).toEqual(fromDrafts)
  })

  it('refuses bar columns as the first input: a journal begins with its manifest', async () => {
    const { dir, journal } = tempJournal()
    const engine = streakEngine()
    const one: BarColumns = {
      length: 1,
      keys: [RELIANCE],
      timeframe: '1m',
      keyIndex: new Int32Array(1),
      openMs: new Float64Array([0]),
      tsMs: new Float64Array([60_000]),
      openPaise: new Float64Array([100]),
      highPaise: new Float64Array([100]),
      lowPaise: new Float64Array([100]),
      closePaise: new Float64Array([100]),
      volume: new Float64Array([1]),
      oi: new Float64Array([0]),
    }
    const r = await runBatch({ journal, engine, state: engine.initialState(), inputs: [one] })
    await journal.close()
    expect(r).toEqual(E.left({ _tag: 'NoManifest', firstType: 'BarClosed' }))
    expect(await readAll(dir)).toEqual([])
  })

  it('refuses to start a journal with anything but RunStarted, and writes nothing', async () => {
    const { dir, journal } = tempJournal()
    const engine = streakEngine()
    const r = await runBatch({ journal, engine, state: engine.initialState(), inputs: [session.slice(1)] })
    await journal.close()
    expect(r).toEqual(E.left({ _tag: 'NoManifest', firstType: 'StrategyConfigured' }))
    expect(await readAll(dir)).toEqual([])
  })
})

describe('live driver', () => {
  it('hands decisions to effects only once they are durable, in order, never the input itself', async () => {
    const { dir, journal } = tempJournal()
    const engine = streakEngine()
    const seen: { firstSeq: number; lastSeq: number; durableInOtherProcessView: number; types: string[] }[] = []
    const driver = createLiveDriver({
      journal,
      engine,
      state: engine.initialState(),
      effects: (decisions) => {
        // A reader that shares nothing with the writer sees the whole cascade already on disk.
        const r = openJournalReader(dir)
        const durable = E.isRight(r) ? r.right.lastSeq() : -1
        seen.push({
          firstSeq: decisions[0]!.seq,
          lastSeq: decisions.at(-1)!.seq,
          durableInOtherProcessView: durable,
          types: decisions.map((d) => d.type),
        })
      },
    })
    // Fired without waiting: the driver serializes them in call order.
    const results = await Promise.all(session.map((input) => driver.handle(input)))
    await journal.close()
    const cascades = results.map((r) => (E.isRight(r) ? r.right : []))
    expect(cascades.map((c) => c[0]?.type)).toEqual(session.map((s) => s.type))
    const firstSeqs = cascades.map((c) => c[0]!.seq)
    expect([...firstSeqs].sort((a, b) => a - b)).toEqual(firstSeqs)
    expect(seen.length).toBeGreaterThan(0)
    for (const s of seen) expect(s.durableInOtherProcessView).toBeGreaterThanOrEqual(s.lastSeq)
    expect(seen.flatMap((s) => s.types)).toContain('OrderFilled')
    expect(seen.flatMap((s) => s.types)).not.toContain('BarClosed')
    expect((await readAll(dir)).length).toBe(cascades.flat().length)
  })

  it('hands an OrderSubmitted to effects when the broker is Upstox (the adapter sends it), and no fill is invented', async () => {
    const { journal } = tempJournal()
    const engine = streakEngine()
    const effects: string[] = []
    const driver = createLiveDriver({
      journal,
      engine,
      state: engine.initialState(),
      effects: (d) => effects.push(...d.map((e) => e.type)),
    })
    for (const input of [runStarted({ broker: 'upstox' }), ...session.slice(1)]) await driver.handle(input)
    await journal.close()
    expect(effects).toContain('OrderSubmitted')
    expect(effects).not.toContain('OrderAccepted')
    expect(effects).not.toContain('OrderFilled')
  })

  it('steps each input as it arrives, without waiting for the previous cascade to be durable', async () => {
    // given a live driver over a fresh journal
    const { journal } = tempJournal()
    const engine = streakEngine()
    const driver = createLiveDriver({ journal, engine, state: engine.initialState() })
    // when the whole session is handed over without awaiting anything
    const pending = session.map((input) => driver.handle(input))
    // then the state has already folded every input (and its decisions), before a single fsync has resolved
    const steppedSeq = driver.state().trading.lastSeq
    const results = await Promise.all(pending)
    await journal.close()
    const journalled = results.flatMap((r) => (E.isRight(r) ? r.right : []))
    expect(journalled.length).toBeGreaterThan(session.length)
    expect(steppedSeq).toBe(journalled.at(-1)!.seq)
    // and the cascades are numbered back to back in call order
    expect(journalled.map((e) => e.seq)).toEqual(journalled.map((_, i) => i + 1))
  })

  it('halts after a failed append: later inputs are refused and no effect runs', async () => {
    const { journal } = tempJournal()
    const engine = streakEngine()
    let effectCalls = 0
    const driver = createLiveDriver({ journal, engine, state: engine.initialState(), effects: () => effectCalls++ })
    expect(E.isRight(await driver.handle(session[0]!))).toBe(true)
    await journal.close()
    const failed = await driver.handle(session[1]!)
    expect(E.isLeft(failed) && failed.left._tag).toBe('JournalClosed')
    const after = await driver.handle(session[2]!)
    expect(after).toEqual(failed)
    expect(effectCalls).toBe(0)
  })
})
