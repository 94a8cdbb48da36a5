import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { unsafeMoney } from '../../src/domain/money/index.js'
import { request, startUpstoxHarness, type UpstoxHarness } from './upstoxHarness.js'

// A burst of 100 order requests at once: the adapter's limiter spaces them so that the sandbox, which enforces
// Upstox's windows on the same clock, never answers 429, and its own request log never holds more than 10 order
// requests in any one-second window.

interface LoggedRequest {
  readonly time: number
  readonly path: string
  readonly status: number
}

const requestsOf = (lines: readonly string[]): LoggedRequest[] =>
  lines.flatMap((l) => {
    const j = JSON.parse(l)
    return j.msg === 'request' ? [{ time: j.time, path: j.path, status: j.status }] : []
  })

const maxInWindow = (times: readonly number[], windowMs: number): number => {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  let lo = 0
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] as number) - (sorted[lo] as number) >= windowMs) lo++
    best = Math.max(best, hi - lo + 1)
  }
  return best
}

describe('rate limits under a burst of 100 order requests', () => {
  let h: UpstoxHarness
  beforeAll(async () => {
    h = await startUpstoxHarness()
  })
  afterAll(() => h.close())

  it('never exceeds 10 order requests per second as the sandbox sees them', async () => {
    const b = h.broker()
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        b.orders.submit(request(`burst-${i}`, { orderType: 'LIMIT', limitPricePaise: unsafeMoney.price(100) }))(),
      ),
    )
    expect(results.filter((r) => E.isRight(r) && r.right.type === 'OrderAccepted')).toHaveLength(100)
    const logged = requestsOf(h.logLines).filter((r) => r.path === '/v2/order/place')
    expect(logged).toHaveLength(100)
    expect(logged.filter((r) => r.status === 429)).toEqual([])
    expect(
      maxInWindow(
        logged.map((r) => r.time),
        1000,
      ),
    ).toBeLessThanOrEqual(10)
    // Each order exactly once on the venue.
    const userId = h.sandbox.user.userId
    expect(Array.from({ length: 100 }, (_, i) => h.sandbox.orders.byTag(userId, `burst-${i}`).length)).toEqual(
      Array(100).fill(1),
    )
    // The limiter did hold requests back (it was not luck).
    expect(b.limiter.stats('order').delayed).toBeGreaterThan(0)
  }, 60_000)

  it('the window check above can fail: 11 requests inside one second are counted as 11', () => {
    expect(maxInWindow([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 999], 1000)).toBe(11)
    expect(maxInWindow([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 1000], 1000)).toBe(10)
  })
})
