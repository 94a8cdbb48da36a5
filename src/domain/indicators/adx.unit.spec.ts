import { describe, expect, it } from 'vitest'
import { Adx } from './adx.js'

describe('Adx (Wilder)', () => {
  it('DI from index n, ADX from 2n-1, by hand for n = 2', () => {
    const a = new Adx(2)
    const out = (
      [
        [10, 8, 9],
        [12, 9, 11], // +DM 2, -DM 0, TR 3
        [11, 7, 8], // +DM 0, -DM 2, TR 4 -> S(TR) 7, S(+) 2, S(-) 2 -> DI 200/7 each, DX 0
        [13, 8, 12], // +DM 2, -DM 0, TR 5 -> S(TR) 8.5, S(+) 3, S(-) 1 -> DX 50 -> ADX (0 + 50) / 2
      ] as const
    ).map(([h, l, c]) => ({ ...a.update(h, l, c) }))
    expect(out[1]?.plusDi).toBeNaN()
    expect(out[2]?.plusDi).toBeCloseTo(200 / 7, 12)
    expect(out[2]?.minusDi).toBeCloseTo(200 / 7, 12)
    expect(out[2]?.adx).toBeNaN()
    expect(out[3]?.plusDi).toBeCloseTo(300 / 8.5, 12)
    expect(out[3]?.minusDi).toBeCloseTo(100 / 8.5, 12)
    expect(out[3]?.adx).toBeCloseTo(25, 12)
  })
  it('equal up and down moves count for neither side', () => {
    const a = new Adx(1)
    a.update(10, 8, 9)
    const r = a.update(11, 7, 9) // up 1, down 1
    expect([r.plusDi, r.minusDi, r.adx]).toEqual([0, 0, 0])
  })
})
