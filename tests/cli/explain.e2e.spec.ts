import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Envelope, OrderFilled } from '../../src/domain/events/index.js'
import { bahi, type DemoSummary, parseJsonOut, readAll, runDemo, tempDirs } from './cliHarness.js'

// `bahi explain` end to end on a demo journal: a fill walked back to the bar that started it.

const CHAIN = ['OrderFilled', 'OrderAccepted', 'OrderSubmitted', 'OrderRequested', 'SignalEmitted', 'BarClosed']

interface ExplainJson {
  readonly journal: string
  readonly target: string
  readonly chain: readonly Envelope[]
  readonly lifecycle: readonly Envelope[]
}

const dirs = tempDirs()
let demo: DemoSummary
let events: Envelope[]
let fill: Envelope<OrderFilled>

beforeAll(async () => {
  demo = await runDemo(dirs.make(), ['--days', '2', '--seed', '9'])
  events = await readAll(demo.journal)
  // A fill well inside the run (its causes are far from seq 1).
  const fills = events.filter((e): e is Envelope<OrderFilled> => e.type === 'OrderFilled')
  fill = fills[Math.floor(fills.length / 3)]!
})
afterAll(() => dirs.cleanup())

/** The event types named by each text line, in order (`seq N <date> <time> IST <Type>: ...`). */
const typesOf = (lines: readonly string[]) => lines.map((l) => /IST (\w+):/.exec(l)?.[1])

describe('bahi explain', () => {
  it('<seq of a fill> prints fill <- accepted <- submitted <- requested <- signal <- bar', async () => {
    const r = await bahi(['explain', demo.journal, String(fill.seq)])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(typesOf(lines)).toEqual(CHAIN)
    expect(lines[0]).toMatch(new RegExp(`^ {3}seq ${fill.seq} `))
    for (const l of lines.slice(1)) expect(l).toMatch(/^<- seq \d+ /)
    expect(lines[0]).toContain(`order ${fill.payload.orderId} filled`)
    // Instruments go by the symbols of the run's manifest: the bar that started it all is RELIANCE's, say, not its key.
    const manifest = events[0]
    const symbol =
      manifest?.type === 'RunStarted' ? manifest.payload.instrumentSymbols?.[fill.payload.instrumentKey] : undefined
    expect(symbol).toMatch(/^[A-Z]+$/)
    expect(lines.at(-1)).toContain(`BarClosed: ${symbol} 1m bar `)
    expect(lines.find((l) => l.includes('OrderRequested:'))).toContain(` ${symbol} MARKET:`)
    // Every line's seq is its predecessor's causationId in the journal.
    const lineSeqs = lines.map((l) => Number(/seq (\d+)/.exec(l)![1]))
    for (let i = 1; i < lineSeqs.length; i++) expect(events[lineSeqs[i - 1]! - 1]!.causationId).toBe(lineSeqs[i])
    expect(events[lineSeqs.at(-1)! - 1]!.causationId).toBeUndefined()
  })

  it('--json gives the chain with seqs descending, each the cause of the one before', async () => {
    const r = await bahi(['explain', demo.journal, String(fill.seq), '--json'])
    expect(r.code, r.stderr).toBe(0)
    const j = parseJsonOut<ExplainJson & Record<string, unknown>>(r)
    expect(j.target).toBe(String(fill.seq))
    expect(j.lifecycle).toEqual([])
    expect(j.chain.map((e) => e.type)).toEqual(CHAIN)
    expect(j.chain[0]).toEqual(fill)
    for (let i = 1; i < j.chain.length; i++) {
      expect(j.chain[i]!.seq).toBeLessThan(j.chain[i - 1]!.seq)
      expect(j.chain[i - 1]!.causationId).toBe(j.chain[i]!.seq)
      expect(j.chain[i]).toEqual(events[j.chain[i]!.seq - 1])
    }
    const bar = j.chain.at(-1)!
    const signal = j.chain.at(-2)!
    expect(bar.type === 'BarClosed' && signal.type === 'SignalEmitted').toBe(true)
    if (bar.type === 'BarClosed' && signal.type === 'SignalEmitted') {
      expect(bar.payload.instrumentKey).toBe(fill.payload.instrumentKey)
      expect(signal.payload.instrumentKey).toBe(fill.payload.instrumentKey)
    }
  })

  it('<orderId> prints the order lifecycle and then its chain', async () => {
    const orderId = fill.payload.orderId
    const lifecycle = events.filter((e) => e.correlationId === orderId)
    expect(lifecycle.map((e) => e.type)).toEqual(['OrderRequested', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled'])

    const r = await bahi(['explain', demo.journal, orderId])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe(`order ${orderId}:`)
    const causedBy = lines.indexOf('caused by:')
    expect(causedBy).toBe(1 + lifecycle.length)
    expect(lines.slice(1, causedBy).map((l) => Number(/^ {2}seq (\d+) /.exec(l)?.[1]))).toEqual(
      lifecycle.map((e) => e.seq),
    )
    expect(typesOf(lines.slice(causedBy + 1))).toEqual(CHAIN)

    const j = parseJsonOut<ExplainJson & Record<string, unknown>>(
      await bahi(['explain', demo.journal, orderId, '--json']),
    )
    expect(j.target).toBe(orderId)
    expect(j.lifecycle).toEqual(lifecycle)
    expect(j.chain.map((e) => e.seq)).toEqual([...j.chain.map((e) => e.seq)].sort((a, b) => b - a))
    expect(j.chain[0]).toEqual(lifecycle.at(-1))
    expect(j.chain.map((e) => e.type)).toEqual(CHAIN)
  })

  it('an input event is its own whole chain', async () => {
    const bar = events.find((e) => e.type === 'BarClosed' && e.seq > 50)!
    const j = parseJsonOut<ExplainJson & Record<string, unknown>>(
      await bahi(['explain', demo.journal, String(bar.seq), '--json']),
    )
    expect(j.chain).toEqual([bar])
  })
})
