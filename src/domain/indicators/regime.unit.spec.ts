import { describe, expect, it } from 'vitest'
import { atrPercent, classifyRegime, DEFAULT_REGIME_THRESHOLDS } from './regime.js'

describe('classifyRegime', () => {
  it('known answers with the default thresholds', () => {
    expect(classifyRegime(30, 0.1, 0.005)).toBe('trending')
    expect(classifyRegime(15, 0.1, 0.005)).toBe('ranging')
    expect(classifyRegime(30, 0.3, 0.005)).toBe('volatile') // volatility wins over trend
    expect(classifyRegime(15, 0.1, 0.02)).toBe('volatile')
    expect(classifyRegime(Number.NaN, 0.1, 0.005)).toBe('unknown')
  })
  it('between the ADX thresholds keeps the previous trending/ranging label', () => {
    expect(classifyRegime(22, 0.1, 0.005, DEFAULT_REGIME_THRESHOLDS, 'trending')).toBe('trending')
    expect(classifyRegime(22, 0.1, 0.005, DEFAULT_REGIME_THRESHOLDS, 'ranging')).toBe('ranging')
    expect(classifyRegime(22, 0.1, 0.005, DEFAULT_REGIME_THRESHOLDS, 'volatile')).toBe('ranging')
  })
  it('takes custom thresholds (e.g. daily bars)', () => {
    const daily = { trendingAdx: 25, rangingAdx: 20, volatileAtrPct: 3, volatileBbWidth: 0.1 }
    expect(classifyRegime(30, 2, 0.05, daily)).toBe('trending')
    expect(classifyRegime(30, 2, 0.05)).toBe('volatile')
  })
  it('ATR percent', () => {
    expect(atrPercent(2, 400)).toBe(0.5)
    expect(atrPercent(2, 0)).toBeNaN()
  })
})
