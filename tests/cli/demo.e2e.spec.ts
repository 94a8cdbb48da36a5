import { existsSync, readdirSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bahi, parseJsonOut, readAll, runDemo, tempDirs } from './cliHarness.js'

// `bahi demo` end to end: the real CLI in a child process, a temp data directory per test.

const INSTRUMENTS = 5
const BARS_PER_DAY = 375
const dirs = tempDirs()
afterAll(() => dirs.cleanup())

describe('bahi demo --json', () => {
  it('prints one JSON summary whose figures match the journal it wrote, and the audit replay agrees', async () => {
    const home = dirs.make()
    const r = await bahi(['demo', '--json', '--home', home, '--days', '2', '--seed', '7'])
    expect(r.code, r.stderr).toBe(0)
    const s = parseJsonOut(r)
    expect(typeof s.runId).toBe('string')
    expect(s.runId).toMatch(/^demo-20250101-s7-/)
    expect(s.journal).toBe(path.join(home, 'journals', s.runId as string))
    expect(readdirSync(path.join(home, 'journals'))).toEqual([s.runId])
    expect(s.bars).toBe(2 * BARS_PER_DAY * INSTRUMENTS)
    for (const k of ['events', 'orders', 'filledOrders', 'realizedPnl', 'equity'] as const) {
      expect(typeof s[k], k).toBe('number')
    }
    expect(s.orders).toBeGreaterThan(0)
    expect(s.filledOrders).toBeGreaterThan(0)
    expect(s.filledOrders).toBeLessThanOrEqual(s.orders as number)
    expect(s.verify).toEqual({ events: s.events, divergences: 0 })

    // The journal on disk is the run the summary describes.
    const events = await readAll(s.journal as string)
    expect(events.length).toBe(s.events)
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1))
    expect(events[0]).toMatchObject({ type: 'RunStarted', payload: { runId: s.runId, seed: 7, broker: 'simulated' } })
    expect(events.at(-1)).toMatchObject({ type: 'RunEnded', payload: { runId: s.runId } })
    expect(events.filter((e) => e.type === 'BarClosed').length).toBe(s.bars)
    expect(events.filter((e) => e.type === 'OrderRequested').length).toBe(s.orders)
    expect(new Set(events.filter((e) => e.type === 'OrderFilled').map((e) => e.correlationId)).size).toBe(
      s.filledOrders,
    )
    expect(r.stderr).toBe('')
  })

  it('is deterministic for a seed (same bars, orders, PnL, equity; new run id) and differs for another seed', async () => {
    const home = dirs.make()
    const a = await runDemo(home, ['--days', '2', '--seed', '11'])
    const b = await runDemo(home, ['--days', '2', '--seed', '11'])
    const c = await runDemo(home, ['--days', '2', '--seed', '12'])
    const face = (s: typeof a) => ({
      bars: s.bars,
      events: s.events,
      orders: s.orders,
      filledOrders: s.filledOrders,
      realizedPnl: s.realizedPnl,
      equity: s.equity,
    })
    expect(face(b)).toEqual(face(a))
    expect(b.runId).not.toBe(a.runId)
    expect(b.journal).not.toBe(a.journal)
    expect(readdirSync(path.join(home, 'journals')).sort()).toEqual([a.runId, b.runId, c.runId].sort())
    expect(c.bars).toBe(a.bars)
    expect(c.realizedPnl !== a.realizedPnl || c.orders !== a.orders).toBe(true)
    for (const s of [a, b, c]) expect(s.verify).toEqual({ events: s.events, divergences: 0 })
  })

  it('uses $BAHI_HOME when --home is absent, and --home over $BAHI_HOME', async () => {
    const envHome = dirs.make()
    const flagHome = dirs.make()
    const fromEnv = parseJsonOut<{ journal: string; runId: string }>(
      await bahi(['demo', '--json', '--days', '1'], { BAHI_HOME: envHome }),
    )
    expect(fromEnv.journal).toBe(path.join(envHome, 'journals', fromEnv.runId))
    expect(existsSync(fromEnv.journal)).toBe(true)

    const r = await bahi(['demo', '--json', '--days', '1', '--home', flagHome], { BAHI_HOME: envHome })
    expect(r.code, r.stderr).toBe(0)
    const fromFlag = parseJsonOut<{ journal: string; runId: string }>(r)
    expect(fromFlag.journal).toBe(path.join(flagHome, 'journals', fromFlag.runId))
    expect(existsSync(fromFlag.journal)).toBe(true)
    // Nothing new under $BAHI_HOME.
    expect(readdirSync(path.join(envHome, 'journals'))).toEqual([fromEnv.runId])
  })

  it('prints a readable summary without --json, naming the journal and the audit result', async () => {
    const home = dirs.make()
    const r = await bahi(['demo', '--home', home, '--days', '1', '--seed', '3'])
    expect(r.code, r.stderr).toBe(0)
    const [runId] = readdirSync(path.join(home, 'journals'))
    const journal = path.join(home, 'journals', runId!)
    const events = (await readAll(journal)).length
    expect(r.stdout).toContain(`bars ${BARS_PER_DAY * INSTRUMENTS}, events ${events}, orders `)
    expect(r.stdout).toContain(`audit replay: ${events} events, 0 divergences`)
    expect(r.stdout).toContain(`journal: ${journal}`)
    expect(() => JSON.parse(r.stdout)).toThrow()
  })
})
