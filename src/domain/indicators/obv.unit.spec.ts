import { describe, expect, it } from 'vitest'
import { Obv } from './obv.js'

describe('Obv', () => {
  it('adds volume on up closes, subtracts on down closes, 0 on the first bar', () => {
    const o = new Obv()
    const closes = [10, 11, 11, 9]
    const vols = [100, 200, 300, 400]
    expect(closes.map((c, i) => o.update(c, vols[i] as number))).toEqual([0, 200, 200, -200])
    expect(o.peek(10, 50)).toBe(-150)
    expect(o.value).toBe(-200)
  })
})
