import { describe, expect, it } from 'vitest'
import { Atr } from './atr.js'
import { Supertrend } from './supertrend.js'

describe('Supertrend', () => {
  it('by hand for period 2, multiplier 1', () => {
    const s = new Supertrend(2, 1)
    const bars = [
      [10, 8, 9],
      [11, 9, 10.5], // ATR (2 + 2) / 2 = 2; bands 12 / 8; first value: down trend -> 12
      [13, 11, 12.5], // ATR 2.25; basic 14.25 / 9.75; upper stays 12; close 12.5 > 12 -> up -> 9.75
      [12, 10, 10], // ATR 2.375; basic 13.375 / 8.625; lower stays 9.75, upper resets (close 12.5 > 12); up
    ] as const
    const out = bars.map(([h, l, c]) => ({ ...s.update(h, l, c) }))
    expect(out[0]?.direction).toBe(0)
    expect(out[0]?.value).toBeNaN()
    expect(out[1]).toEqual({ value: 12, direction: -1, upper: 12, lower: 8 })
    expect(out[2]).toEqual({ value: 9.75, direction: 1, upper: 12, lower: 9.75 })
    expect(out[3]).toEqual({ value: 9.75, direction: 1, upper: 13.375, lower: 9.75 })
  })
  it('turns down when the close falls below the final lower band', () => {
    const s = new Supertrend(2, 1)
    for (const [h, l, c] of [
      [10, 8, 9],
      [11, 9, 10.5],
      [13, 11, 12.5],
    ] as const)
      s.update(h, l, c)
    const p = s.peek(10, 8, 8.5)
    expect(p.direction).toBe(-1)
    expect(s.value.direction).toBe(1)
  })

  it('keeps its ATR exactly as an Atr with firstBarRange would, and snapshots it in the same form', () => {
    const s = new Supertrend(3, 2)
    const atr = new Atr(3, { firstBarRange: true })
    const states: unknown[][] = []
    for (let i = 0; i < 12; i++) {
      const c = 100 + ((i * 37) % 11) * 0.35
      s.update(c + 0.8, c - 0.65, c)
      atr.update(c + 0.8, c - 0.65, c)
      states.push([s.toJSON().atr, atr.toJSON()])
    }
    for (const [mine, theirs] of states) expect(mine).toEqual(theirs)
    // While warming the bands have no previous close; once warm it is the last close.
    expect(new Supertrend(3, 2).toJSON().prevClose).toBeNull()
    expect(s.toJSON().prevClose).toBe(s.toJSON().atr.prevClose)
  })
})
