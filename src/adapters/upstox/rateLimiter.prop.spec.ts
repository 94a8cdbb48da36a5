import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRateLimiter, createWindowLog, type RateWindow } from './rateLimiter.js'

// Whatever the request schedule, the network delays and the moment within its flight that each request reaches the
// server, the server never sees more than `max` requests in any window; and every request is eventually sent.

interface Req {
  readonly gap: number
  readonly duration: number
  /** Where in [start, end] the request reaches the server. */
  readonly arrivalAt: number
}

const simulate = (windows: readonly RateWindow[], reqs: readonly Req[]) => {
  const log = createWindowLog(windows)
  const desired: number[] = []
  let t = 0
  for (const r of reqs) desired.push((t += r.gap))
  const arrivals: number[] = []
  const ends: number[] = []
  let next = 0
  let now = 0
  for (let steps = 0; steps < 100_000 && (next < reqs.length || ends.length > 0); steps++) {
    ends.sort((a, b) => a - b)
    while (ends.length > 0 && (ends[0] as number) <= now) log.finish(ends.shift() as number)
    let wakeAt = Number.POSITIVE_INFINITY
    while (next < reqs.length && (desired[next] as number) <= now) {
      const a = log.admission(now)
      if (a._tag === 'Admit') {
        const r = reqs[next] as Req
        log.start()
        arrivals.push(now + r.arrivalAt * r.duration)
        ends.push(now + r.duration)
        next++
        continue
      }
      if (a._tag === 'Wait') wakeAt = now + a.ms
      break
    }
    if (ends.some((e) => e <= now)) continue
    const candidates = [wakeAt, ...ends, next < reqs.length ? Math.max(now, desired[next] as number) : Infinity]
    const soonest = Math.min(...candidates.filter((c) => c > now))
    if (!Number.isFinite(soonest)) break
    now = soonest
  }
  return { arrivals, sent: next }
}

const maxInWindow = (times: readonly number[], windowMs: number): number => {
  const s = [...times].sort((a, b) => a - b)
  let best = 0
  let lo = 0
  for (let hi = 0; hi < s.length; hi++) {
    while ((s[hi] as number) - (s[lo] as number) >= windowMs) lo++
    best = Math.max(best, hi - lo + 1)
  }
  return best
}

const windowsArb = fc.array(
  fc.record({ windowMs: fc.integer({ min: 1, max: 2000 }), max: fc.integer({ min: 1, max: 8 }) }),
  {
    minLength: 1,
    maxLength: 3,
  },
)
const reqsArb = fc.array(
  fc.record({
    gap: fc.integer({ min: 0, max: 300 }),
    duration: fc.integer({ min: 0, max: 800 }),
    arrivalAt: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  { maxLength: 60 },
)

describe('client rate limiter', () => {
  it('never lets the server see more than max requests in any window, and sends every request', () => {
    fc.assert(
      fc.property(windowsArb, reqsArb, (windows, reqs) => {
        const { arrivals, sent } = simulate(windows, reqs)
        expect(sent).toBe(reqs.length)
        for (const w of windows) expect(maxInWindow(arrivals, w.windowMs)).toBeLessThanOrEqual(w.max)
      }),
      { numRuns: 300 },
    )
  })

  it('the check can fail: counting arrivals without a limiter finds the overflow', () => {
    expect(maxInWindow([0, 1, 2, 3], 10)).toBe(4)
  })

  it('the async limiter delays on an injected clock instead of refusing', async () => {
    let now = 0
    const slept: number[] = []
    const limiter = createRateLimiter(
      {
        nowMs: () => now,
        sleep: async (ms) => {
          slept.push(ms)
          now += ms
        },
      },
      { standard: [{ windowMs: 1000, max: 2 }], order: [{ windowMs: 1000, max: 2 }] },
    )
    const started: number[] = []
    await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        limiter.schedule('order', async () => {
          started.push(now)
          return i
        }),
      ),
    )
    // Two may start at once; a third only once the window has moved past an earlier completion.
    expect(started.slice(0, 2)).toEqual([0, 0])
    for (let i = 2; i < started.length; i++)
      expect((started[i] as number) - (started[i - 2] as number)).toBeGreaterThanOrEqual(1000)
    expect(slept.length).toBeGreaterThan(0)
    expect(limiter.stats('order')).toMatchObject({ inFlight: 0, waiting: 0 })
  })
})
