import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BarClosed, Envelope, EventDraft, OrderFilled } from '../../src/domain/events/index.js'
import { unsafe } from '../../src/domain/ids/index.js'
import { appendEvents, bahi, type DemoSummary, parseJsonOut, readAll, runDemo, tempDirs } from './cliHarness.js'
import { HAND_FILL_PRICE, HAND_ORDER_ID, handJournal, withPayload } from './handJournal.js'

// Audit replay must catch a journal whose decisions the engine would not make: `replay --verify` exits 1 and names
// the first divergence, what the engine derived there and what the journal holds.

interface Divergent {
  readonly events: number
  readonly divergences: number
  readonly firstDivergence: {
    readonly seq: number
    readonly reason: string
    readonly expected: (EventDraft & Record<string, unknown>) | null
    readonly actual: (Envelope & Record<string, unknown>) | null
    readonly actualCausationChain: readonly Envelope[]
    readonly expectedCausationChain: readonly Envelope[]
  }
}

const dirs = tempDirs()
let demo: DemoSummary
let demoEvents: Envelope[]

beforeAll(async () => {
  demo = await runDemo(dirs.make(), ['--days', '2', '--seed', '5'])
  demoEvents = await readAll(demo.journal)
})
afterAll(() => dirs.cleanup())

const toDraft = (e: Envelope): EventDraft => {
  const { seq: _seq, ...draft } = e
  return draft as EventDraft
}

/** A new journal holding `drafts` (seqs 1..n). */
const journalOf = async (drafts: readonly EventDraft[]): Promise<string> => {
  const dir = path.join(dirs.make(), 'journal')
  const ack = await appendEvents(dir, drafts)
  expect(ack).toEqual({ firstSeq: 1, lastSeq: drafts.length })
  return dir
}

const verifyJson = async (journal: string, extra: readonly string[] = []): Promise<Divergent> => {
  const r = await bahi(['replay', journal, '--verify', '--json', ...extra])
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1)
  return parseJsonOut<Divergent & Record<string, unknown>>(r)
}

const seqs = (chain: readonly Envelope[]) => chain.map((e) => e.seq)

describe('a demo journal with one decision changed', () => {
  it('an untouched copy verifies (the rewrite itself changes nothing)', async () => {
    const copy = await journalOf(demoEvents.map(toDraft))
    const r = await bahi(['replay', copy, '--verify'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(`${demo.events} events, 0 divergences\n`)
  })

  it('a decision appended out of nowhere: exit 1, divergence at its seq, with its causation chain', async () => {
    const copy = await journalOf(demoEvents.map(toDraft))
    const bar = demoEvents.find((e): e is Envelope<BarClosed> => e.type === 'BarClosed' && e.seq > 100)!
    const forged = {
      type: 'OrderRequested',
      ts: demoEvents.at(-1)!.ts,
      causationId: unsafe.seq(bar.seq),
      correlationId: 'forged-1',
      payload: {
        orderId: unsafe.orderId('forged-1'),
        strategyId: unsafe.strategyId('streak.demo'),
        instrumentKey: bar.payload.instrumentKey,
        side: 'BUY',
        qty: 1000,
        orderType: 'MARKET',
        product: 'I',
        validity: 'DAY',
        reason: 'nobody asked for this',
      },
    } as EventDraft
    const { firstSeq } = await appendEvents(copy, [forged])
    expect(firstSeq).toBe(demo.events + 1)

    const text = await bahi(['replay', copy, '--verify'])
    expect(text.code).toBe(1)
    expect(text.stdout).toContain(
      `${firstSeq} events, first divergence at seq ${firstSeq}: recorded decision that the engine does not derive`,
    )
    expect(text.stdout).toContain('expected: (nothing)')
    expect(text.stdout).toContain('nobody asked for this')

    const j = await verifyJson(copy)
    expect(j.divergences).toBe(1)
    expect(j.events).toBe(firstSeq)
    const d = j.firstDivergence
    expect(d.seq).toBe(firstSeq)
    expect(d.reason).toBe('recorded decision that the engine does not derive')
    expect(d.expected).toBeNull()
    expect(d.actual).toMatchObject({ seq: firstSeq, type: 'OrderRequested', payload: { orderId: 'forged-1' } })
    expect(seqs(d.actualCausationChain)).toEqual([firstSeq, bar.seq])
    expect(d.actualCausationChain[1]).toEqual(bar)

    // Up to just before the forged event the journal is still sound.
    const before = await bahi(['replay', copy, '--verify', '--until', String(demo.events)])
    expect(before.code, before.stderr).toBe(0)
    expect(before.stdout).toBe(`${demo.events} events, 0 divergences\n`)
  })

  it('a fill at another price in the middle: exit 1, expected vs actual at that seq', async () => {
    const fills = demoEvents.filter((e): e is Envelope<OrderFilled> => e.type === 'OrderFilled')
    expect(fills.length).toBeGreaterThan(10)
    const fill = fills[Math.floor(fills.length / 2)]!
    const price = fill.payload.fillPricePaise
    const drafts = demoEvents.map(toDraft)
    drafts[fill.seq - 1] = {
      ...drafts[fill.seq - 1]!,
      payload: { ...fill.payload, fillPricePaise: price + 500 },
    } as EventDraft
    const copy = await journalOf(drafts)

    const j = await verifyJson(copy)
    const d = j.firstDivergence
    expect(d.seq).toBe(fill.seq)
    expect(j.events).toBe(fill.seq)
    expect(d.reason).toBe('recorded event differs from the re-derived decision')
    expect(d.expected).toMatchObject({
      type: 'OrderFilled',
      payload: { orderId: fill.payload.orderId, fillPricePaise: price },
    })
    expect(d.actual).toMatchObject({
      seq: fill.seq,
      payload: { orderId: fill.payload.orderId, fillPricePaise: price + 500 },
    })
    // Both sides have the same causes: the fill <- acceptance <- submission <- order <- signal <- bar.
    expect(d.actualCausationChain.map((e) => e.type)).toEqual([
      'OrderFilled',
      'OrderAccepted',
      'OrderSubmitted',
      'OrderRequested',
      'SignalEmitted',
      'BarClosed',
    ])
    expect(seqs(d.expectedCausationChain)).toEqual(seqs(d.actualCausationChain).slice(1))

    const text = await bahi(['replay', copy, '--verify'])
    expect(text.code).toBe(1)
    const fmt = (p: number) => (p / 100).toFixed(2)
    expect(text.stdout).toMatch(new RegExp(`expected: derived .* OrderFilled: .* @ ${fmt(price)} `))
    expect(text.stdout).toMatch(new RegExp(`actual: +seq ${fill.seq} .* OrderFilled: .* @ ${fmt(price + 500)} `))
  })
})

describe('a journal written by hand', () => {
  it('verifies when it holds exactly what the engine derives', async () => {
    const journal = await journalOf(handJournal())
    const r = await bahi(['replay', journal, '--verify', '--json'])
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0)
    expect(parseJsonOut(r)).toMatchObject({
      events: 12,
      divergences: 0,
      state: { orders: { filled: 1 }, positions: [{ qty: 10 }] },
    })
  })

  it('a wrong fill price diverges at the fill, with both events in the JSON', async () => {
    const journal = await journalOf(withPayload(handJournal(), 12, { fillPricePaise: HAND_FILL_PRICE + 1 }))
    const j = await verifyJson(journal)
    const d = j.firstDivergence
    expect(d.seq).toBe(12)
    expect(d.reason).toBe('recorded event differs from the re-derived decision')
    expect(d.expected).toMatchObject({
      type: 'OrderFilled',
      causationId: 10,
      correlationId: HAND_ORDER_ID,
      payload: { fillPricePaise: HAND_FILL_PRICE, fillQty: 10 },
    })
    expect(d.expected).not.toHaveProperty('seq')
    expect(d.actual).toMatchObject({ seq: 12, type: 'OrderFilled', payload: { fillPricePaise: HAND_FILL_PRICE + 1 } })
    expect(seqs(d.actualCausationChain)).toEqual([12, 10, 9, 8, 7, 6])
    expect(seqs(d.expectedCausationChain)).toEqual([10, 9, 8, 7, 6])
  })

  it('a signal with another reason diverges at the signal', async () => {
    const journal = await journalOf(withPayload(handJournal(), 7, { reason: 'a hunch' }))
    const j = await verifyJson(journal)
    const d = j.firstDivergence
    expect(j.events).toBe(7)
    expect(d.seq).toBe(7)
    expect(d.reason).toBe('recorded event differs from the re-derived decision')
    expect(d.expected).toMatchObject({ type: 'SignalEmitted', payload: { reason: '3 consecutive higher closes' } })
    expect(d.actual).toMatchObject({ seq: 7, type: 'SignalEmitted', payload: { reason: 'a hunch' } })
    expect(seqs(d.actualCausationChain)).toEqual([7, 6])
    expect(seqs(d.expectedCausationChain)).toEqual([6])

    const text = await bahi(['replay', journal, '--verify'])
    expect(text.code).toBe(1)
    expect(text.stdout).toContain(
      '7 events, first divergence at seq 7: recorded event differs from the re-derived decision',
    )
    expect(text.stdout).toContain('3 consecutive higher closes')
    expect(text.stdout).toContain('a hunch')
    // Stopping before the signal, nothing is wrong yet.
    const before = await bahi(['replay', journal, '--verify', '--until', '6'])
    expect(before.code, before.stderr).toBe(0)
    expect(before.stdout).toBe('6 events, 0 divergences\n')
  })

  it('decisions missing at the end of the journal are a divergence too', async () => {
    const journal = await journalOf(handJournal().slice(0, 6))
    const j = await verifyJson(journal)
    const d = j.firstDivergence
    expect(d.seq).toBe(6)
    expect(d.reason).toBe('journal ends before this re-derived decision')
    expect(d.actual).toBeNull()
    expect(d.expected).toMatchObject({ type: 'SignalEmitted', causationId: 6 })
    expect(seqs(d.expectedCausationChain)).toEqual([6])
  })
})
