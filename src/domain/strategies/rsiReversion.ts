import * as t from 'io-ts'
import { Rsi, type RsiState } from '../indicators/index.js'
import { defineStrategy, paramsWithDefaults } from './strategy.js'

// rsi-reversion: buy when Wilder's RSI falls below `oversold`, go flat when it recovers above `exit`; with
// allowShort, sell short above `overbought` and cover below `exit`.

const PositiveInt = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'PositiveInt')
const Level = t.refinement(t.number, (n) => n > 0 && n < 100, 'RsiLevel(0,100)')

export const RsiReversionParams = paramsWithDefaults(
  { period: PositiveInt, oversold: Level, overbought: Level, exit: Level, qty: PositiveInt, allowShort: t.boolean },
  { period: 14, oversold: 30, overbought: 70, exit: 50, qty: 1, allowShort: false },
  'rsi-reversion',
)
export type RsiReversionParams = t.TypeOf<typeof RsiReversionParams>

interface RsiReversionState {
  readonly params: RsiReversionParams
  readonly rsi: Record<string, Rsi>
}

export const rsiReversionStrategy = defineStrategy<RsiReversionParams, RsiReversionState>({
  kind: 'rsi-reversion',
  description: 'Mean reversion on RSI: long when oversold, flat on recovery; short when overbought (allowShort).',
  params: t.refinement(
    RsiReversionParams,
    (p) => p.oversold < p.exit && p.exit < p.overbought,
    'rsi-reversion params (oversold < exit < overbought)',
  ),
  init: (params) => ({ params, rsi: {} }),
  restore: (json) => {
    const j = json as { params: RsiReversionParams; rsi: Record<string, RsiState> }
    return { params: j.params, rsi: Object.fromEntries(Object.entries(j.rsi).map(([k, v]) => [k, Rsi.fromJSON(v)])) }
  },
  onBar: (s, bar, ctx) => {
    const p = s.params
    let r = s.rsi[bar.instrumentKey]
    if (r === undefined) {
      r = new Rsi(p.period)
      s.rsi[bar.instrumentKey] = r
    }
    const v = r.update(bar.closePaise)
    if (Number.isNaN(v)) return undefined
    const rsi = Math.round(v * 100) / 100
    if (ctx.positionQty === 0 && v < p.oversold) {
      return {
        intent: 'LONG',
        qty: p.qty,
        confidence: 1,
        reason: `RSI(${p.period}) ${rsi} below ${p.oversold}`,
        metadata: { rsi },
      }
    }
    if (ctx.positionQty === 0 && p.allowShort && v > p.overbought) {
      return {
        intent: 'SHORT',
        qty: p.qty,
        confidence: 1,
        reason: `RSI(${p.period}) ${rsi} above ${p.overbought}`,
        metadata: { rsi },
      }
    }
    if ((ctx.positionQty > 0 && v > p.exit) || (ctx.positionQty < 0 && v < p.exit)) {
      return { intent: 'FLAT', confidence: 1, reason: `RSI(${p.period}) ${rsi} back past ${p.exit}`, metadata: { rsi } }
    }
    return undefined
  },
})
