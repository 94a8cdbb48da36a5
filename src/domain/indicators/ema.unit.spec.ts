import { describe, expect, it } from 'vitest'
import { Ema } from './ema.js'

describe('Ema', () => {
  it('is seeded with the SMA of the first n inputs, then x·α + ema·(1-α)', () => {
    const e = new Ema(3) // α = 0.5
    expect([1, 2, 3, 4, 8].map((x) => e.update(x))).toEqual([NaN, NaN, 2, 3, 5.5])
  })
  it('peeks without changing state, also on the bar that completes the seed', () => {
    const e = new Ema(3)
    e.update(1)
    expect(e.peek(5)).toBeNaN()
    e.update(2)
    expect(e.peek(6)).toBe(3)
    expect(e.value).toBeNaN()
    e.update(3)
    expect(e.peek(4)).toBe(3)
    expect(e.value).toBe(2)
  })
})
