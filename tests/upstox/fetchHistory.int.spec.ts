import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openMarketStore } from '../../src/adapters/marketStore/index.js'
import { dateChunks, fetchHistory, HISTORY_INTERVALS } from '../../src/adapters/upstox/index.js'
import { commands } from '../../src/processes/cli/commands/index.js'
import { RELIANCE, startUpstoxHarness, type UpstoxHarness } from './upstoxHarness.js'

// Commands load on demand (see commands/index.ts).
const { fetchHistoryCommand } = await commands.fetchHistory()
const TCS = 'NSE_EQ|INE467B01029'

// Historical candles from the sandbox: paged in chunks the API allows, oldest first, and imported into a real
// market store by `bahi fetch-history`.

describe('fetch-history against the sandbox', () => {
  let h: UpstoxHarness
  let home: string
  beforeAll(async () => {
    h = await startUpstoxHarness()
    home = mkdtempSync(join(tmpdir(), 'bahi-history-'))
  })
  afterAll(async () => {
    await h.close()
    rmSync(home, { recursive: true, force: true })
  })

  it('splits a range into inclusive chunks', () => {
    expect(dateChunks('2025-01-01', '2025-01-05', 2)).toEqual(
      E.right([
        { from: '2025-01-01', to: '2025-01-02' },
        { from: '2025-01-03', to: '2025-01-04' },
        { from: '2025-01-05', to: '2025-01-05' },
      ]),
    )
    expect(E.isLeft(dateChunks('2025-01-05', '2025-01-01', 2))).toBe(true)
    expect(E.isLeft(dateChunks('2025-13-01', '2025-01-01', 2))).toBe(true)
  })

  it('pages one request per chunk and returns the candles oldest first', async () => {
    const b = h.broker()
    const oneDay = { ...HISTORY_INTERVALS['1minute']!, chunkDays: 1 }
    const r = await fetchHistory(b.rest, {
      instrumentKey: RELIANCE,
      from: '2025-01-01',
      to: '2025-01-03',
      interval: oneDay,
    })()
    if (E.isLeft(r)) throw new Error(r.left._tag)
    expect(r.right.requests).toBe(3)
    expect(r.right.candles).toHaveLength(3 * 375)
    const stamps = r.right.candles.map((c) => String(c[0]))
    expect(stamps[0]).toBe('2025-01-01T09:15:00+05:30')
    expect(stamps.at(-1)).toBe('2025-01-03T15:29:00+05:30')
    expect([...stamps].sort()).toEqual(stamps)
    const whole = await fetchHistory(b.rest, {
      instrumentKey: RELIANCE,
      from: '2025-01-01',
      to: '2025-01-03',
      interval: HISTORY_INTERVALS['1minute']!,
    })()
    expect(E.isRight(whole) && whole.right.requests).toBe(1)
    expect(E.isRight(whole) && whole.right.candles).toEqual(r.right.candles)
  })

  it('reports an unknown instrument as the API refusal', async () => {
    const r = await fetchHistory(h.broker().rest, {
      instrumentKey: 'NSE_EQ|INE000000000',
      from: '2025-01-01',
      to: '2025-01-02',
      interval: HISTORY_INTERVALS.day!,
    })()
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'BrokerRejected', status: 400, code: 'UDAPI100011' })
  })

  it('bahi fetch-history imports into the market store, and a re-fetch changes nothing', async () => {
    const out: string[] = []
    const io = { out: (l: string) => out.push(l), err: () => {} }
    const log = pino({ level: 'silent' })
    const env = { UPSTOX_BASE_URL: h.sandbox.baseUrl }
    const args = { home, json: true, instrument: RELIANCE, from: '2025-01-01', to: '2025-01-03', interval: '5minute' }
    expect(await fetchHistoryCommand(args, io, log, env)).toBe(0)
    expect(JSON.parse(out[0] ?? '{}')).toMatchObject({
      candles: 3 * 75,
      imported: 3 * 75,
      timeframe: '5m',
      requests: 1,
    })
    expect(await fetchHistoryCommand(args, io, log, env)).toBe(0)
    expect(JSON.parse(out[1] ?? '{}')).toMatchObject({ imported: 0, unchanged: 3 * 75 })
    // Another instrument's bars of the same days land before the stored end: the command puts the bars back in stream
    // order at its end.
    expect(await fetchHistoryCommand({ ...args, instrument: TCS }, io, log, env)).toBe(0)
    expect(JSON.parse(out[2] ?? '{}')).toMatchObject({ imported: 3 * 75 })
    {
      const instance = await DuckDBInstance.create(join(home, 'market', 'market.duckdb'), { access_mode: 'READ_ONLY' })
      const conn = await instance.connect()
      try {
        expect((await conn.runAndReadAll('SELECT count(*) FROM bars_order')).getRows()[0]?.[0]).toBe(0n)
        const starts = (await conn.runAndReadAll("SELECT open_ms FROM bars WHERE timeframe = '5m' ORDER BY rowid"))
          .getRows()
          .map((r) => Number(r[0]))
        expect(starts).toHaveLength(6 * 75)
        expect(starts).toEqual([...starts].sort((a, b) => a - b))
      } finally {
        conn.closeSync()
        instance.closeSync()
      }
    }
    const store = await openMarketStore(join(home, 'market', 'market.duckdb'), log)
    if (E.isLeft(store)) throw new Error(store.left._tag)
    try {
      const counts = await store.right.counts()
      expect(E.isRight(counts) && counts.right.bars).toBe(6 * 75)
    } finally {
      store.right.close()
    }
    const bad: string[] = []
    const code = await fetchHistoryCommand(
      { ...args, interval: '2minute' },
      { out: () => {}, err: (l) => bad.push(l) },
      log,
      env,
    )
    expect(code).toBe(2)
    expect(bad[0]).toContain('--interval must be one of 1minute')
  })
})
