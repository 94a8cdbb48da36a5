import { describe, expect, it } from 'vitest'
import { Wma } from './wma.js'

describe('Wma', () => {
  it('weights 1..n from oldest to newest', () => {
    const w = new Wma(3)
    const out = [1, 2, 3, 4, 10].map((x) => w.update(x))
    expect(out.slice(0, 2)).toEqual([NaN, NaN])
    expect(out[2]).toBeCloseTo((1 + 4 + 9) / 6, 12)
    expect(out[3]).toBeCloseTo((2 + 6 + 12) / 6, 12)
    expect(out[4]).toBeCloseTo((3 + 8 + 30) / 6, 12)
  })
  it('peeks the completing bar and later bars', () => {
    const w = new Wma(3)
    w.update(1)
    w.update(2)
    expect(w.peek(3)).toBeCloseTo(14 / 6, 12)
    expect(w.value).toBeNaN()
    w.update(3)
    expect(w.peek(4)).toBeCloseTo(20 / 6, 12)
  })
})
