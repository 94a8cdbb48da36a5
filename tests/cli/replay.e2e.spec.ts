import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Envelope } from '../../src/domain/events/index.js'
import { bahi, type DemoSummary, parseJsonOut, readAll, runDemo, tempDirs } from './cliHarness.js'

// `bahi replay` end to end on a journal written by `bahi demo` (2 days, seed 42).

interface ReplayJson {
  readonly journal: string
  readonly folded: number
  readonly fromSnapshotSeq: number | null
  readonly lastSeq: number
  readonly cash: number
  readonly equity: number
  readonly realizedPnl: number
  readonly fees: number
  readonly orders: Record<string, number>
  readonly positions: readonly { instrumentKey: string; qty: number; realizedPnl: number }[]
  readonly run: { runId: string } | null
}

const dirs = tempDirs()
let demo: DemoSummary
let events: Envelope[]

beforeAll(async () => {
  demo = await runDemo(dirs.make(), ['--days', '2', '--seed', '42'])
  events = await readAll(demo.journal)
})
afterAll(() => dirs.cleanup())

/** The state a replay reports, without the fields that depend on where it started or how fast it ran. */
const stateOf = (r: ReplayJson) => ({
  lastSeq: r.lastSeq,
  cash: r.cash,
  equity: r.equity,
  realizedPnl: r.realizedPnl,
  fees: r.fees,
  orders: r.orders,
  positions: r.positions,
  run: r.run,
})

const replayJson = async (args: readonly string[]): Promise<ReplayJson> => {
  const r = await bahi(['replay', demo.journal, '--json', ...args])
  expect(r.code, r.stderr).toBe(0)
  return parseJsonOut<ReplayJson & Record<string, unknown>>(r)
}

describe('bahi replay --verify', () => {
  it('reports "N events, 0 divergences" with N the events the demo wrote', async () => {
    const r = await bahi(['replay', demo.journal, '--verify'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(`${demo.events} events, 0 divergences\n`)
    expect(events.length).toBe(demo.events)
  })

  it('--json gives {events, divergences: 0} and the verified state', async () => {
    const r = await bahi(['replay', demo.journal, '--verify', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const j = parseJsonOut<{ events: number; divergences: number; state: { equity: number; realizedPnl: number } }>(r)
    expect(j.events).toBe(demo.events)
    expect(j.divergences).toBe(0)
    expect(j).not.toHaveProperty('firstDivergence')
    expect(j.state.equity).toBe(demo.equity)
    expect(j.state.realizedPnl).toBe(demo.realizedPnl)
  })
})

describe('bahi replay (rebuild)', () => {
  it('rebuilds the state the demo ended with, from its snapshot and from seq 1 alike', async () => {
    const fromSnapshot = await replayJson([])
    const fromScratch = await replayJson(['--no-snapshots'])
    // The demo saves a snapshot at its last seq, so a plain replay folds nothing.
    expect(fromSnapshot.fromSnapshotSeq).toBe(demo.events)
    expect(fromSnapshot.folded).toBe(0)
    expect(fromScratch.fromSnapshotSeq).toBeNull()
    expect(fromScratch.folded).toBe(demo.events)
    for (const r of [fromSnapshot, fromScratch]) {
      expect(r.lastSeq).toBe(demo.events)
      expect(r.equity).toBe(demo.equity)
      expect(r.realizedPnl).toBe(demo.realizedPnl)
      expect(r.fees).toBe(demo.fees)
      expect(r.run?.runId).toBe(demo.runId)
      expect(Object.values(r.orders).reduce((a, b) => a + b, 0)).toBe(demo.orders)
      expect(r.positions.reduce((a, p) => a + p.realizedPnl, 0)).toBeCloseTo(demo.realizedPnl, 6)
    }
    expect(stateOf(fromSnapshot)).toEqual(stateOf(fromScratch))
    // Cash is what the fills left: capital minus buys plus sells.
    let cashPaise = 1_000_000 * 100
    for (const e of events) {
      if (e.type !== 'OrderFilled') continue
      const p = e.payload
      cashPaise += (p.side === 'BUY' ? -1 : 1) * p.fillQty * p.fillPricePaise - p.feesPaise
    }
    expect(fromScratch.cash).toBe(cashPaise / 100)
    // Open positions: net filled quantity per instrument.
    const net = new Map<string, number>()
    for (const e of events) {
      if (e.type !== 'OrderFilled') continue
      const k = e.payload.instrumentKey
      net.set(k, (net.get(k) ?? 0) + (e.payload.side === 'BUY' ? 1 : -1) * e.payload.fillQty)
    }
    for (const p of fromScratch.positions) expect(p.qty, p.instrumentKey).toBe(net.get(p.instrumentKey) ?? 0)
  })

  it('prints the same figures as text', async () => {
    const r = await bahi(['replay', demo.journal, '--no-snapshots'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(`replayed ${demo.journal} to seq ${demo.events}: ${demo.events} events folded`)
    expect(r.stdout).toContain(`run ${demo.runId}`)
    expect(r.stdout).toContain(`equity ${demo.equity.toFixed(2)} INR`)
    expect(r.stdout).toContain(`realized ${demo.realizedPnl.toFixed(2)} INR`)
    // positions go by the symbols of the run's manifest, one line per strategy and instrument of the demo
    const positions = r.stdout.split('\n').filter((l) => l.includes(': qty '))
    expect(positions.map((l) => /^ {2}\S+ (\S+): qty /.exec(l)?.[1]).sort()).toEqual([
      'HDFCBANK',
      'ICICIBANK',
      'INFY',
      'RELIANCE',
      'TCS',
    ])
  })

  it('--until <seq> stops at that seq, and beyond the end at the end', async () => {
    const r = await replayJson(['--until', '1000', '--no-snapshots'])
    expect(r.lastSeq).toBe(1000)
    expect(r.folded).toBe(1000)
    const v = await bahi(['replay', demo.journal, '--verify', '--until', '1000', '--json'])
    expect(v.code, v.stderr).toBe(0)
    expect(parseJsonOut(v)).toMatchObject({ events: 1000, divergences: 0, state: { lastSeq: 1000 } })
    const past = await replayJson(['--until', String(demo.events + 1000), '--no-snapshots'])
    expect(past.lastSeq).toBe(demo.events)
  })

  it('--until "YYYY-MM-DD HH:MM" (IST) stops at the last event at or before that time', async () => {
    const cut = Date.parse('2025-01-01T10:00:00+05:30')
    const last = events.filter((e) => e.ts <= cut).at(-1)!
    expect(last).toBeDefined()
    // A meaningful cut: events on both sides, and the next one is later.
    expect(last.seq).toBeGreaterThan(2)
    expect(events[last.seq]!.ts).toBeGreaterThan(cut)
    const ist = await replayJson(['--until', '2025-01-01 10:00', '--no-snapshots'])
    expect(ist.lastSeq).toBe(last.seq)
    expect(ist.folded).toBe(last.seq)
    // The same instant written as ISO with an offset, and in UTC.
    expect((await replayJson(['--until', '2025-01-01T10:00:00+05:30', '--no-snapshots'])).lastSeq).toBe(last.seq)
    expect((await replayJson(['--until', '2025-01-01T04:30:00Z', '--no-snapshots'])).lastSeq).toBe(last.seq)
    // One minute earlier is an earlier cut.
    const earlier = events.filter((e) => e.ts <= cut - 60_000).at(-1)!
    expect(earlier.seq).toBeLessThan(last.seq)
    expect((await replayJson(['--until', '2025-01-01 09:59', '--no-snapshots'])).lastSeq).toBe(earlier.seq)
  })

  it('--snapshot writes a snapshot that a later replay starts from', async () => {
    const first = await replayJson(['--until', '1500', '--snapshot'])
    expect(first.fromSnapshotSeq).toBeNull()
    expect(first.lastSeq).toBe(1500)
    const second = await replayJson(['--until', '3000'])
    expect(second.fromSnapshotSeq).toBe(1500)
    expect(second.folded).toBe(1500)
    expect(second.lastSeq).toBe(3000)
    const scratch = await replayJson(['--until', '3000', '--no-snapshots'])
    expect(scratch.fromSnapshotSeq).toBeNull()
    expect(scratch.folded).toBe(3000)
    expect(stateOf(second)).toEqual(stateOf(scratch))
    // The text form says where it started.
    const text = await bahi(['replay', demo.journal, '--until', '3000'])
    expect(text.stdout).toContain('(from the snapshot at seq 1500): 1500 events folded')
  })
})
