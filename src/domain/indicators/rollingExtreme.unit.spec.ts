import { describe, expect, it } from 'vitest'
import { Highest, Lowest } from './rollingExtreme.js'

describe('Highest / Lowest', () => {
  const xs = [1, 3, 2, 5, 1, 0, 0, 4]
  it('highest of the last n', () => {
    const h = new Highest(3)
    expect(xs.map((x) => h.update(x))).toEqual([NaN, NaN, 3, 5, 5, 5, 1, 4])
  })
  it('lowest of the last n', () => {
    const l = new Lowest(3)
    expect(xs.map((x) => l.update(x))).toEqual([NaN, NaN, 1, 2, 1, 0, 0, 0])
  })
  it('peek accounts for the value that leaves the window', () => {
    const h = new Highest(3)
    for (const x of [9, 1, 2]) h.update(x)
    expect(h.peek(0)).toBe(2) // 9 leaves
    expect(h.peek(4)).toBe(4)
    expect(h.value).toBe(9)
  })
  it('equals a brute-force window max on a long sawtooth', () => {
    const n = 17
    const h = new Highest(n)
    const seq = Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 101) - 50)
    seq.forEach((x, i) => {
      const v = h.update(x)
      if (i >= n - 1) expect(v).toBe(Math.max(...seq.slice(i - n + 1, i + 1)))
    })
  })
})
