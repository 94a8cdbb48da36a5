import { describe, expect, it } from 'vitest'
import { Sma, VolumeAverage } from './sma.js'

describe('Sma', () => {
  it('averages the last n inputs, NaN while warming', () => {
    const s = new Sma(3)
    expect([1, 2, 3, 4, 5].map((x) => s.update(x))).toEqual([NaN, NaN, 2, 3, 4])
    expect(s.value).toBe(4)
    expect(s.ready).toBe(true)
  })
  it('peeks at the forming bar without changing state', () => {
    const s = new Sma(3)
    s.update(1)
    expect(s.peek(10)).toBeNaN()
    s.update(2)
    expect(s.peek(6)).toBe(3)
    s.update(3)
    expect(s.peek(7)).toBe(4) // (2 + 3 + 7) / 3
    expect(s.value).toBe(2)
  })
  it('stays exact over a long run (the running sum is resynchronised)', () => {
    const s = new Sma(7)
    let v = Number.NaN
    for (let i = 0; i < 100_000; i++) v = s.update(1000 + 0.1 * (i % 13))
    const last = Array.from({ length: 7 }, (_, k) => 1000 + 0.1 * ((99_993 + k) % 13))
    expect(Math.abs(v - last.reduce((a, b) => a + b) / 7)).toBeLessThan(1e-10)
  })
  it('rejects a bad period at construction', () => {
    expect(() => new Sma(0)).toThrow(RangeError)
    expect(() => new Sma(2.5)).toThrow(RangeError)
  })
  it('VolumeAverage is an Sma over volumes', () => {
    const v = new VolumeAverage(2)
    expect([100, 300, 500].map((x) => v.update(x))).toEqual([NaN, 200, 400])
  })
})
