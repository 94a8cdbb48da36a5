import { describe, expect, it } from 'vitest'
import { Rsi } from './rsi.js'

describe('Rsi (Wilder)', () => {
  it('first value at index n from simple averages, then Wilder smoothing', () => {
    const r = new Rsi(2)
    // changes +1, -1 -> avgGain 0.5, avgLoss 0.5 -> 50; then +1 -> gain (0.5 + 1) / 2, loss 0.5 / 2 -> RS 3 -> 75
    expect([1, 2, 1, 2].map((x) => r.update(x))).toEqual([NaN, NaN, 50, 75])
  })
  it('is 100 with only gains, 0 with only losses, 50 when flat', () => {
    const up = new Rsi(3)
    const down = new Rsi(3)
    const flat = new Rsi(3)
    for (const x of [1, 2, 3, 4]) up.update(x)
    for (const x of [4, 3, 2, 1]) down.update(x)
    for (const x of [5, 5, 5, 5]) flat.update(x)
    expect([up.value, down.value, flat.value]).toEqual([100, 0, 50])
  })
  it('peeks without changing state', () => {
    const r = new Rsi(2)
    r.update(1)
    r.update(2)
    expect(r.peek(1)).toBe(50)
    expect(r.value).toBeNaN()
    r.update(1)
    expect(r.peek(2)).toBe(75)
    expect(r.value).toBe(50)
  })
})
