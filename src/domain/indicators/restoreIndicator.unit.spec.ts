import { describe, expect, it } from 'vitest'
import { Bollinger } from './bollinger.js'
import { type IndicatorState, restoreIndicator } from './restoreIndicator.js'
import { Highest } from './rollingExtreme.js'
import { Sma } from './sma.js'

describe('restoreIndicator', () => {
  it('revives each kind from its JSON, NaN included', () => {
    const sma = new Sma(3)
    sma.update(1) // still warming: NaN in the state
    const json = JSON.parse(JSON.stringify({ sma, bb: new Bollinger(2, 2), hi: new Highest(2) })) as Record<
      string,
      IndicatorState
    >
    const r = restoreIndicator(json.sma as IndicatorState)
    expect(r).toBeInstanceOf(Sma)
    expect((r as Sma).update(2)).toBeNaN()
    expect((r as Sma).update(3)).toBe(2)
    expect(restoreIndicator(json.bb as IndicatorState)).toBeInstanceOf(Bollinger)
    expect(restoreIndicator(json.hi as IndicatorState)).toBeInstanceOf(Highest)
  })
})
