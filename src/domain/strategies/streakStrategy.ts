import * as t from 'io-ts'
import { defineStrategy, paramsWithDefaults } from './strategy.js'

// The engine's example strategy, kept deliberately small: go long after `bars` consecutive higher closes, go flat
// after `bars` consecutive lower closes. Real strategies (sma-cross, ...) follow the same shape.

const PositiveInt = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'PositiveInt')

export const StreakParams = paramsWithDefaults({ bars: PositiveInt, qty: PositiveInt }, { bars: 3, qty: 1 }, 'streak')
export type StreakParams = t.TypeOf<typeof StreakParams>

interface StreakState {
  readonly bars: number
  readonly qty: number
  /** Per instrument: last close and the signed run of higher (+) or lower (-) closes. */
  readonly lastClose: Record<string, number>
  readonly run: Record<string, number>
}

export const streakStrategy = defineStrategy<StreakParams, StreakState>({
  kind: 'streak',
  description: 'Long after N consecutive higher closes, flat after N consecutive lower closes (example strategy).',
  params: StreakParams,
  init: (p) => ({ bars: p.bars, qty: p.qty, lastClose: {}, run: {} }),
  onBar: (s, bar, ctx) => {
    const key = bar.instrumentKey
    const prev = s.lastClose[key]
    s.lastClose[key] = bar.closePaise
    if (prev === undefined) return undefined
    const before = s.run[key] ?? 0
    const run = bar.closePaise > prev ? Math.max(before, 0) + 1 : bar.closePaise < prev ? Math.min(before, 0) - 1 : 0
    s.run[key] = run
    if (run === s.bars && ctx.positionQty <= 0) {
      return {
        intent: 'LONG',
        qty: s.qty,
        confidence: 1,
        reason: `${s.bars} consecutive higher closes`,
        metadata: { run },
      }
    }
    if (run === -s.bars && ctx.positionQty > 0) {
      return { intent: 'FLAT', confidence: 1, reason: `${s.bars} consecutive lower closes`, metadata: { run } }
    }
    return undefined
  },
})
