import type { Envelope, EventDraft } from '../../domain/events/index.js'
import { formatPaise } from '../../domain/money/index.js'
import { formatIst } from '../../domain/time/index.js'

// One line per event for people reading a replay or an explanation: when, what, and the figures that matter.
// Instruments go by the trading symbols the run's manifest gives them (`RunStarted.instrumentSymbols`, see
// `manifestSymbols`), else by key.

/** Trading symbols by instrument key. */
export type InstrumentNames = Readonly<Record<string, string>>

const px = (p: number | undefined) => (p === undefined ? '' : formatPaise(p))

const prices = (p: { readonly limitPricePaise?: number; readonly triggerPricePaise?: number }): string =>
  `${p.triggerPricePaise === undefined ? '' : ` trigger ${px(p.triggerPricePaise)}`}${p.limitPricePaise === undefined ? '' : ` limit ${px(p.limitPricePaise)}`}`

export const summarizeEvent = (e: EventDraft, names: InstrumentNames = {}): string => {
  const name = (key: string): string => names[key] ?? key
  switch (e.type) {
    case 'TickReceived':
      return `${name(e.payload.instrumentKey)} ltp ${px(e.payload.ltpPaise)} x ${e.payload.ltq}`
    case 'BarClosed': {
      const b = e.payload
      return `${name(b.instrumentKey)} ${b.timeframe} bar ${formatIst(b.openMs).slice(11, 16)} O ${px(b.openPaise)} H ${px(b.highPaise)} L ${px(b.lowPaise)} C ${px(b.closePaise)} V ${b.volume}`
    }
    case 'SignalEmitted':
      return `${e.payload.strategyId} wants ${e.payload.intent}${e.payload.qty === undefined ? '' : ` ${e.payload.qty}`} ${name(e.payload.instrumentKey)}: ${e.payload.reason}`
    case 'ExitTriggered':
      return `${e.payload.strategyId} ${e.payload.exit} on ${name(e.payload.instrumentKey)} at ${px(e.payload.pricePaise)}: ${e.payload.reason}`
    case 'OrderRequested':
      return `order ${e.payload.orderId} ${e.payload.side} ${e.payload.qty} ${name(e.payload.instrumentKey)} ${e.payload.orderType}: ${e.payload.reason}`
    case 'OrderDenied':
      return `order ${e.payload.orderId} denied by ${e.payload.rule}: ${e.payload.reason}`
    case 'OrderFilled':
      return `order ${e.payload.orderId} filled ${e.payload.side} ${e.payload.fillQty} @ ${px(e.payload.fillPricePaise)} fees ${px(e.payload.feesPaise)}`
    case 'OrderSubmitted':
      return `order ${e.payload.orderId} submitted to ${e.payload.venue}`
    case 'OrderAccepted':
      return `order ${e.payload.orderId} accepted as ${e.payload.brokerOrderId}`
    case 'OrderRejected':
      return `order ${e.payload.orderId} rejected: ${e.payload.reason}`
    case 'OrderUpdated':
      return `order ${e.payload.orderId} status "${e.payload.brokerStatus}"`
    case 'OrderCancelRequested':
      return `cancel ${e.payload.orderId}: ${e.payload.reason}`
    case 'OrderModifyRequested':
      return `modify ${e.payload.orderId}${prices(e.payload)}: ${e.payload.reason}`
    case 'OrderModified':
      return `order ${e.payload.orderId} modified${prices(e.payload)}`
    case 'OrderModifyRejected':
      return `modify of ${e.payload.orderId} rejected: ${e.payload.reason}`
    case 'OrderModifyDenied':
      return `modify of ${e.payload.orderId} denied by ${e.payload.rule}: ${e.payload.reason}`
    case 'OrderCancelled':
    case 'OrderExpired':
      return `order ${e.payload.orderId} ${e.type === 'OrderCancelled' ? 'cancelled' : 'expired'}${e.payload.reason ? `: ${e.payload.reason}` : ''}`
    case 'KillSwitchEngaged':
    case 'KillSwitchReleased':
      return `kill switch ${e.type === 'KillSwitchEngaged' ? 'engaged' : 'released'} (${e.payload.scope}${e.payload.target ? ` ${e.payload.scope === 'instrument' ? name(e.payload.target) : e.payload.target}` : ''}) by ${e.payload.source}: ${e.payload.reason}`
    case 'RiskLimitBreached':
      return `${e.payload.rule} breached: ${e.payload.reason}`
    case 'RunStarted':
      return `run ${e.payload.runId} started (${e.payload.mode}, ${e.payload.broker} broker, code ${e.payload.codeVersion}, seed ${e.payload.seed})`
    case 'RunEnded':
      return `run ${e.payload.runId} ended: ${e.payload.reason}`
    case 'StrategyConfigured':
      return `strategy ${e.payload.strategyId} (${e.payload.kind}) ${e.payload.enabled ? 'on' : 'off'} for ${e.payload.instruments.map(name).join(', ')}${e.payload.reason ? `: ${e.payload.reason}` : ''}`
    case 'FeedStatusChanged':
      return `feed ${e.payload.feed} ${e.payload.status}${e.payload.reason ? `: ${e.payload.reason}` : ''}`
    case 'SessionPhaseChanged':
      return `${e.payload.exchange} ${e.payload.date} ${e.payload.phase}`
    case 'TimerFired':
      return `timer ${e.payload.timer}`
    case 'SimulatorConfigured':
      return `simulated broker ${JSON.stringify(e.payload.config)}`
    case 'RiskLimitsConfigured':
      return `risk limits ${JSON.stringify(e.payload.limits)}`
  }
}

export const describeEvent = (e: Envelope | EventDraft, names: InstrumentNames = {}): string =>
  `${'seq' in e ? `seq ${e.seq}` : 'derived'} ${formatIst(e.ts).replace('T', ' ').slice(0, 19)} IST ${e.type}: ${summarizeEvent(e, names)}`
