import { describe, expect, it } from 'vitest'
import { typicalPrice, Vwap } from './vwap.js'

const ist = (day: number, hh: number, mm: number) => Date.UTC(2025, 0, day, hh, mm) - 19_800_000

describe('Vwap', () => {
  it('Σ price·volume / Σ volume within an IST session, reset on the next day', () => {
    const v = new Vwap()
    expect(v.update(ist(2, 9, 15), 100, 10)).toBe(100)
    expect(v.update(ist(2, 9, 16), 110, 30)).toBe(107.5)
    expect(v.update(ist(3, 9, 15), 200, 5)).toBe(200)
  })
  it('resets at IST midnight, not UTC midnight', () => {
    const v = new Vwap()
    v.update(Date.UTC(2025, 0, 2, 18, 0), 100, 1) // 23:30 IST on the 2nd
    expect(v.update(Date.UTC(2025, 0, 2, 18, 45), 200, 1)).toBe(200) // 00:15 IST on the 3rd
  })
  it('is NaN until the session has volume; peeks without changing state', () => {
    const v = new Vwap()
    expect(v.update(ist(2, 9, 15), 100, 0)).toBeNaN()
    expect(v.peek(ist(2, 9, 16), 120, 10)).toBe(120)
    expect(v.peek(ist(3, 9, 15), 90, 10)).toBe(90)
    expect(v.value).toBeNaN()
  })
  it('typical price is (h + l + c) / 3', () => {
    expect(typicalPrice(12, 9, 9)).toBe(10)
  })
})
