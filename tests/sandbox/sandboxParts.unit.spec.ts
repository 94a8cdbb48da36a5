import { describe, expect, it } from 'vitest'
import { DEFAULT_SYNTHETIC_INSTRUMENTS } from '../../src/adapters/synthetic/index.js'
import {
  createMarketReplay,
  createRateLimiter,
  decodeFeedRequest,
  type MinuteBar,
  tickPath,
  tickVolume,
  tokenExpiryMs,
} from '../../src/adapters/upstoxSandbox/index.js'
import { unsafeMoney } from '../../src/domain/money/index.js'

// The sandbox's pure parts, without sockets: token expiry, the three rate windows, the tick path, feed requests.

const ist = (y: number, m: number, d: number, hh: number, mm: number) => Date.UTC(y, m - 1, d, hh, mm) - 19_800_000

describe('token expiry', () => {
  it('is 03:30 IST on the next IST day, whenever the token was issued', () => {
    expect(tokenExpiryMs(ist(2026, 1, 5, 10, 0))).toBe(ist(2026, 1, 6, 3, 30))
    expect(tokenExpiryMs(ist(2026, 1, 6, 1, 0))).toBe(ist(2026, 1, 7, 3, 30))
    expect(tokenExpiryMs(ist(2026, 1, 5, 23, 59))).toBe(ist(2026, 1, 6, 3, 30))
  })
})

describe('rate limiter', () => {
  it('enforces the per-minute window even when every second is within its limit', () => {
    const rl = createRateLimiter()
    let t = 0
    let passed = 0
    for (let s = 0; s < 11; s++, t = s * 1000)
      for (let i = 0; i < 50; i++) if (rl.tryAcquire('u', 'standard', t)) passed++
    expect(passed).toBe(500)
    expect(rl.tryAcquire('u', 'standard', 59_999)).toBe(false)
    expect(rl.tryAcquire('u', 'standard', 60_001)).toBe(true)
  })

  it('enforces the 30-minute window', () => {
    const rl = createRateLimiter()
    let passed = 0
    // 499 a minute for 5 minutes = 2495 attempts; the 30-minute window stops them at 2000.
    for (let m = 0; m < 5; m++)
      for (let i = 0; i < 499; i++) if (rl.tryAcquire('u', 'order', m * 60_000 + i * 110)) passed++
    expect(passed).toBe(2000)
    expect(rl.tryAcquire('u', 'order', 30 * 60_000 - 1)).toBe(false)
    expect(rl.tryAcquire('u', 'order', 30 * 60_000 + 1)).toBe(true)
  })

  it('keeps users and groups apart', () => {
    const rl = createRateLimiter()
    for (let i = 0; i < 10; i++) expect(rl.tryAcquire('a', 'order', 0)).toBe(true)
    expect(rl.tryAcquire('a', 'order', 0)).toBe(false)
    expect(rl.tryAcquire('b', 'order', 0)).toBe(true)
    expect(rl.tryAcquire('a', 'standard', 0)).toBe(true)
  })
})

describe('tick path', () => {
  const bar = (open: number, close: number): MinuteBar => ({ openMs: 0, open, high: 130, low: 90, close, volume: 1003 })
  it('goes O-L-H-C for a rising bar and O-H-L-C for a falling one', () => {
    expect(tickPath(bar(100, 120))).toEqual([100, 90, 130, 120])
    expect(tickPath(bar(120, 100))).toEqual([120, 130, 90, 100])
  })
  it('splits the volume so the ticks add up to the bar', () => {
    const b = bar(100, 120)
    expect([0, 1, 2, 3].map((k) => tickVolume(b, k))).toEqual([250, 250, 250, 253])
  })
})

describe('market replay from any bar source', () => {
  const reliance = DEFAULT_SYNTHETIC_INSTRUMENTS[0]!
  const bar = (openMs: number, o: number, h: number, l: number, c: number, volume: number) => ({
    type: 'BarClosed' as const,
    ts: openMs + 60_000,
    payload: {
      instrumentKey: reliance.instrumentKey,
      timeframe: '1m' as const,
      openMs,
      openPaise: unsafeMoney.price(o),
      highPaise: unsafeMoney.price(h),
      lowPaise: unsafeMoney.price(l),
      closePaise: unsafeMoney.price(c),
      volume,
    },
  })
  const d1 = ist(2025, 1, 2, 9, 15)
  const d2 = ist(2025, 1, 3, 9, 15)
  const days = [[bar(d1, 100_000, 100_500, 99_500, 100_200, 400)], [bar(d2, 101_000, 101_000, 100_000, 100_500, 800)]]

  it('replays the replay day tick by tick after the history, then rolls into the next session', () => {
    const m = createMarketReplay({ instruments: [reliance], historyDays: 0, days: days.values() })
    const ended: string[] = []
    m.onDayEnded((d) => ended.push(d))
    expect(m.replayDate()).toBe('2025-01-02')
    expect(m.quote(reliance.instrumentKey)?.ltpPaise).toBe(100_000)
    expect(m.step(4).map((t) => t.pricePaise)).toEqual([100_000, 99_500, 100_500, 100_200])
    const q = m.quote(reliance.instrumentKey)!
    expect([q.vtt, q.day?.high, q.day?.low, q.lastMinute?.close]).toEqual([400, 100_500, 99_500, 100_200])
    expect(m.completedBars(reliance.instrumentKey, 0, Number.MAX_SAFE_INTEGER)).toHaveLength(1)
    const [first] = m.step(1)
    expect(ended).toEqual(['2025-01-02'])
    expect(m.replayDate()).toBe('2025-01-03')
    expect(first).toMatchObject({ pricePaise: 101_000, qty: 200, tsMs: d2 })
    expect(m.quote(reliance.instrumentKey)).toMatchObject({ cpPaise: 100_200, vtt: 200 })
    m.step(3)
    expect(m.step(1)).toEqual([]) // the source has no more sessions
  })
})

describe('feed requests', () => {
  it('decodes sub, unsub and change_mode and rejects anything else', () => {
    const req = (o: unknown) => decodeFeedRequest(JSON.stringify(o))
    expect(req({ guid: 'g', method: 'sub', data: { mode: 'full', instrumentKeys: ['A|B'] } })).toEqual({
      method: 'sub',
      mode: 'full',
      keys: ['A|B'],
    })
    expect(req({ method: 'unsub', data: { instrumentKeys: ['A|B'] } })?.method).toBe('unsub')
    expect(req({ method: 'sub', data: { instrumentKeys: ['A|B'] } })).toBeUndefined()
    expect(req({ method: 'sub', data: { mode: 'full_d99', instrumentKeys: ['A|B'] } })).toBeUndefined()
    expect(req({ method: 'subscribe', data: { mode: 'ltpc', instrumentKeys: [] } })).toBeUndefined()
    expect(decodeFeedRequest('{not json')).toBeUndefined()
  })
})
