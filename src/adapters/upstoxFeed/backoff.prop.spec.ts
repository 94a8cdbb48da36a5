import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSeededRandom } from '../synthetic/index.js'
import { backoffBounds, createBackoff } from './backoff.js'

const policy = fc.record({
  initialMs: fc.integer({ min: 1, max: 5_000 }),
  extra: fc.integer({ min: 0, max: 100_000 }),
  factor: fc.double({ min: 1, max: 4, noNaN: true }),
  jitter: fc.double({ min: 0, max: 1, noNaN: true }),
})

describe('backoff', () => {
  it('keeps every delay within [(1 - jitter) * base, base], base growing by factor and capped at maxMs', () => {
    fc.assert(
      fc.property(policy, fc.integer(), (p, seed) => {
        const pol = { initialMs: p.initialMs, maxMs: p.initialMs + p.extra, factor: p.factor, jitter: p.jitter }
        const b = createBackoff(pol, createSeededRandom(seed).next)
        for (let n = 0; n < 30; n++) {
          const { minMs, maxMs } = backoffBounds(pol, n)
          expect(maxMs).toBe(Math.min(pol.maxMs, pol.initialMs * pol.factor ** n))
          const d = b.next()
          expect(d).toBeGreaterThanOrEqual(Math.floor(minMs))
          expect(d).toBeLessThanOrEqual(Math.ceil(maxMs))
          expect(d).toBeLessThanOrEqual(Math.ceil(pol.maxMs))
        }
      }),
    )
  })

  it('is deterministic for a seed, jittered across seeds, and starts over after reset', () => {
    const p = { initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0.5 }
    const run = (seed: number) => {
      const b = createBackoff(p, createSeededRandom(seed).next)
      return Array.from({ length: 8 }, () => b.next())
    }
    expect(run(1)).toEqual(run(1))
    expect(run(1)).not.toEqual(run(2))
    const b = createBackoff(p, () => 0.999)
    b.next()
    b.next()
    b.reset()
    expect(b.attempts()).toBe(0)
    expect(b.next()).toBe(100)
    expect(createBackoff({ ...p, jitter: 0 }, () => 0.3).next()).toBe(100)
  })

  it('refuses a nonsensical policy', () => {
    expect(() => createBackoff({ initialMs: 0, maxMs: 1, factor: 2, jitter: 0 }, Math.random)).toThrow(
      /invalid backoff/,
    )
    expect(() => createBackoff({ initialMs: 10, maxMs: 5, factor: 2, jitter: 0 }, Math.random)).toThrow(
      /invalid backoff/,
    )
  })
})
