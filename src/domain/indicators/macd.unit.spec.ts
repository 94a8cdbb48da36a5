import { describe, expect, it } from 'vitest'
import { Macd } from './macd.js'

describe('Macd', () => {
  it('line = EMA(fast) - EMA(slow) from index slow-1; signal from slow+signal-2', () => {
    const m = new Macd(2, 3, 2) // α 2/3, 1/2, 2/3
    const closes = [1, 2, 4, 8]
    const out = closes.map((c) => ({ ...m.update(c) }))
    // fast: -, 1.5, 1.5 + 2/3 (4 - 1.5) = 19/6, 19/6 + 2/3 (8 - 19/6) = 115/18
    // slow: -, -, 7/3, 7/3 + (8 - 7/3) / 2 = 31/6
    expect(out[1]?.line).toBeNaN()
    expect(out[2]?.line).toBeCloseTo(19 / 6 - 7 / 3, 12)
    expect(out[2]?.signal).toBeNaN()
    const line3 = 115 / 18 - 31 / 6
    expect(out[3]?.line).toBeCloseTo(line3, 12)
    expect(out[3]?.signal).toBeCloseTo((19 / 6 - 7 / 3 + line3) / 2, 12)
    expect(out[3]?.histogram).toBeCloseTo(line3 - (19 / 6 - 7 / 3 + line3) / 2, 12)
  })
  it('update returns the same reused object; peek another one', () => {
    const m = new Macd(2, 3, 2)
    const a = m.update(1)
    const b = m.update(2)
    expect(a).toBe(b)
    expect(m.value).toBe(a)
    expect(m.peek(3)).not.toBe(a)
  })
})
