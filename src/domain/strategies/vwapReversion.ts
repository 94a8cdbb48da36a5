import * as t from 'io-ts'
import { typicalPrice, Vwap, type VwapState } from '../indicators/index.js'
import { defineStrategy, paramsWithDefaults } from './strategy.js'

// vwap-reversion: when the close is `bandPct` below the session VWAP, go long; flat once it is back at the VWAP.
// With allowShort, the mirror image above it.

const PositiveInt = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'PositiveInt')
const Band = t.refinement(t.number, (n) => n > 0 && n < 20, 'Percent(0,20)')

export const VwapReversionParams = paramsWithDefaults(
  { bandPct: Band, qty: PositiveInt, allowShort: t.boolean },
  { bandPct: 0.5, qty: 1, allowShort: false },
  'vwap-reversion',
)
export type VwapReversionParams = t.TypeOf<typeof VwapReversionParams>

interface VwapReversionState {
  readonly params: VwapReversionParams
  readonly vwap: Record<string, Vwap>
}

export const vwapReversionStrategy = defineStrategy<VwapReversionParams, VwapReversionState>({
  kind: 'vwap-reversion',
  description: 'Long when the close is a band below the session VWAP, flat back at it (short above, with allowShort).',
  params: VwapReversionParams,
  init: (params) => ({ params, vwap: {} }),
  restore: (json) => {
    const j = json as { params: VwapReversionParams; vwap: Record<string, VwapState> }
    return { params: j.params, vwap: Object.fromEntries(Object.entries(j.vwap).map(([k, v]) => [k, Vwap.fromJSON(v)])) }
  },
  onBar: (s, bar, ctx) => {
    const p = s.params
    let v = s.vwap[bar.instrumentKey]
    if (v === undefined) {
      v = new Vwap()
      s.vwap[bar.instrumentKey] = v
    }
    const vwap = v.update(bar.openMs, typicalPrice(bar.highPaise, bar.lowPaise, bar.closePaise), bar.volume)
    if (Number.isNaN(vwap)) return undefined
    const dev = ((bar.closePaise - vwap) / vwap) * 100
    const at = `close ${(bar.closePaise / 100).toFixed(2)} is ${Math.abs(Math.round(dev * 100) / 100)}% ${dev < 0 ? 'below' : 'above'} VWAP ${(vwap / 100).toFixed(2)}`
    if (ctx.positionQty === 0 && dev <= -p.bandPct) return { intent: 'LONG', qty: p.qty, confidence: 1, reason: at }
    if (ctx.positionQty === 0 && p.allowShort && dev >= p.bandPct)
      return { intent: 'SHORT', qty: p.qty, confidence: 1, reason: at }
    if ((ctx.positionQty > 0 && dev >= 0) || (ctx.positionQty < 0 && dev <= 0)) {
      return { intent: 'FLAT', confidence: 1, reason: `${at}: back at VWAP` }
    }
    return undefined
  },
})
