import { describe, expect, it } from 'vitest'
import { Atr, trueRange } from './atr.js'

const bars: readonly (readonly [number, number, number])[] = [
  [10, 8, 9],
  [11, 9, 10], // TR max(2, 2, 0) = 2
  [12, 9, 11], // TR max(3, 2, 1) = 3
  [11, 10, 10], // TR max(1, 0, 1) = 1
]

describe('Atr (Wilder)', () => {
  it('true range includes gaps from the previous close', () => {
    expect(trueRange(12, 11, 9)).toBe(3)
    expect(trueRange(10, 9, 13)).toBe(4)
    expect(trueRange(12, 9, 10)).toBe(3)
  })
  it('default: no true range on the first bar, first ATR at index n', () => {
    const a = new Atr(2)
    expect(bars.map(([h, l, c]) => a.update(h, l, c))).toEqual([NaN, NaN, 2.5, 1.75])
  })
  it('firstBarRange: the first bar counts high - low, first ATR at index n-1', () => {
    const a = new Atr(2, { firstBarRange: true })
    expect(bars.map(([h, l, c]) => a.update(h, l, c))).toEqual([NaN, 2, 2.5, 1.75])
  })
  it('peeks without changing state', () => {
    const a = new Atr(2)
    a.update(10, 8, 9)
    a.update(11, 9, 10)
    expect(a.peek(12, 9, 11)).toBe(2.5)
    expect(a.value).toBeNaN()
  })
})
