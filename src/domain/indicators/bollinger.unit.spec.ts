import { describe, expect, it } from 'vitest'
import { Bollinger } from './bollinger.js'

describe('Bollinger', () => {
  it('middle ± k population σ', () => {
    const b = new Bollinger(3, 2)
    b.update(1)
    expect(b.update(2).middle).toBeNaN()
    const r = b.update(3)
    const sd = Math.sqrt(2 / 3)
    expect(r.middle).toBeCloseTo(2, 12)
    expect(r.stdDev).toBeCloseTo(sd, 12)
    expect(r.upper).toBeCloseTo(2 + 2 * sd, 12)
    expect(r.lower).toBeCloseTo(2 - 2 * sd, 12)
    expect(r.width).toBeCloseTo((4 * sd) / 2, 12)
  })
  it('a flat window has zero width, and the window slides', () => {
    const b = new Bollinger(2, 2)
    b.update(5)
    expect(b.update(5).width).toBe(0)
    expect(b.update(7).middle).toBe(6)
    expect(b.value.stdDev).toBe(1)
  })
  it('keeps digits on large prices with a tiny spread', () => {
    const b = new Bollinger(4, 1)
    for (const x of [100000.01, 100000.02, 100000.03, 100000.04]) b.update(x)
    expect(b.value.stdDev).toBeCloseTo(Math.sqrt(0.0125) / 10, 9)
  })
})
