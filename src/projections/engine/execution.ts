import type {
  Envelope,
  EventDraft,
  OrderModifyRequested,
  OrderRequested,
  SignalEmitted,
} from '../../domain/events/index.js'
import { unsafe } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import type { OrderView } from '../orders/index.js'
import { positionKey } from '../positions/index.js'
import type { TradingState } from '../state/index.js'

// Execution turns a signal's target into an order: the difference between the target quantity and what the
// strategy holds plus what its working orders will add. A target already met asks for nothing, so a strategy that
// repeats itself does not double its position.

/**
 * Signed quantity still to come from the strategy's working orders in the instrument. Resting exits (`protects`) are
 * not counted: they are contingent (at most one of a stop and its target fills) and only ever reduce the position,
 * so counting them would make a long position with its stop look flat, and a strategy's FLAT would then buy.
 */
export const pendingQty = (s: TradingState, strategyId: string, instrumentKey: string): number => {
  let q = 0
  for (const o of s.orders.working.values()) {
    if (o.strategyId !== strategyId || o.instrumentKey !== instrumentKey || o.protects !== undefined) continue
    const remaining = o.qty - o.filledQty
    q += o.side === 'BUY' ? remaining : -remaining
  }
  return q
}

/**
 * Deterministic, unique within a run, and at most 40 characters (the Upstox `tag` limit): the run and the seq of the
 * signal that asks for the order (a signal asks for at most one). Not a count of folded orders: signals decided in
 * the same cascade (two strategies on one bar) are all stepped before any of their orders is folded.
 */
export const nextOrderId = (s: TradingState, signalSeq: number): string =>
  `${(s.run?.runId ?? 'run').slice(0, 28)}-${signalSeq}`

export interface TargetRequest {
  readonly strategyId: SignalEmitted['payload']['strategyId']
  readonly instrumentKey: SignalEmitted['payload']['instrumentKey']
  /** Signed target position. */
  readonly target: number
  /** Why, for the order's reason: the signal's or the exit's. */
  readonly reason: string
  /** A priced order (the signal's); absent: MARKET. */
  readonly order?: Pick<SignalEmitted['payload'], 'orderType' | 'limitPricePaise' | 'triggerPricePaise'>
}

/** How long after a modification of an order another may be asked for (live, every tick could ask). */
export const MODIFY_INTERVAL_MS = 1000

/**
 * Whether `o` may be modified at `ts`: no modification of it is awaiting the venue's answer, and the last was asked for
 * at least `MODIFY_INTERVAL_MS` ago (Upstox counts modifications against its order rate).
 */
export const canModify = (o: OrderView, ts: number): boolean =>
  o.modifyPending === undefined && (o.lastModifyTs === undefined || ts - o.lastModifyTs >= MODIFY_INTERVAL_MS)

/**
 * A priced target already met by one working order of the strategy's own, of the same type but at other prices: that
 * order moved to the request's prices (a strategy chasing with its limit, or raising its stop entry), or nothing.
 */
const moveFor = (s: TradingState, t: TargetRequest, e: Envelope, reason: string): readonly EventDraft[] => {
  const order = t.order
  if (order?.orderType === undefined) return []
  let mine: OrderView | undefined
  for (const o of s.orders.working.values()) {
    if (o.strategyId !== t.strategyId || o.instrumentKey !== t.instrumentKey || o.protects !== undefined) continue
    if (o.status === 'pending_cancel') continue
    if (mine !== undefined) return []
    mine = o
  }
  if (mine === undefined || mine.orderType !== order.orderType || !canModify(mine, e.ts)) return []
  if (mine.limitPricePaise === order.limitPricePaise && mine.triggerPricePaise === order.triggerPricePaise) return []
  const payload: OrderModifyRequested['payload'] = { orderId: mine.orderId, reason }
  if (order.limitPricePaise !== undefined) payload.limitPricePaise = order.limitPricePaise
  if (order.triggerPricePaise !== undefined) payload.triggerPricePaise = order.triggerPricePaise
  return [{ type: 'OrderModifyRequested', ts: e.ts, causationId: e.seq, correlationId: mine.orderId, payload }]
}

/**
 * The order that takes the strategy from its position plus working orders to `target`, caused by event `e`; when the
 * target is already met by a priced order of its own and the request names other prices, that order moved.
 */
export const orderForTarget = (s: TradingState, t: TargetRequest, e: Envelope): readonly EventDraft[] => {
  const held = s.portfolio.positions.get(positionKey(t.strategyId, t.instrumentKey))?.qty ?? 0
  const current = held + pendingQty(s, t.strategyId, t.instrumentKey)
  const delta = t.target - current
  if (delta === 0) return current === held ? [] : moveFor(s, t, e, `moved: ${t.reason.replace(' (held {held})', '')}`)
  const orderId = unsafe.orderId(nextOrderId(s, e.seq))
  const payload: OrderRequested['payload'] = {
    orderId,
    strategyId: t.strategyId,
    instrumentKey: t.instrumentKey,
    side: delta > 0 ? 'BUY' : 'SELL',
    qty: unsafeMoney.qty(Math.abs(delta)),
    orderType: t.order?.orderType ?? 'MARKET',
    product: s.strategies.get(t.strategyId)?.product ?? 'I',
    validity: 'DAY',
    reason: `${t.reason.replace('{held}', String(current))}`,
  }
  if (t.order?.limitPricePaise !== undefined) payload.limitPricePaise = t.order.limitPricePaise
  if (t.order?.triggerPricePaise !== undefined) payload.triggerPricePaise = t.order.triggerPricePaise
  return [{ type: 'OrderRequested', ts: e.ts, causationId: e.seq, correlationId: orderId, payload }]
}

/**
 * A cancel request, caused by `e`, for each working order that `covers` takes and that is not being cancelled already
 * (a CANCEL signal: the strategy's orders in the instrument; an engaged kill switch: the orders of its scope).
 */
export const cancelRequests = (
  s: TradingState,
  e: Envelope,
  covers: (o: OrderView) => boolean,
  reason: string,
): readonly EventDraft[] => {
  const out: EventDraft[] = []
  for (const o of s.orders.working.values()) {
    if (!covers(o) || o.status === 'pending_cancel') continue
    out.push({
      type: 'OrderCancelRequested',
      ts: e.ts,
      causationId: e.seq,
      correlationId: o.orderId,
      payload: { orderId: o.orderId, reason },
    })
  }
  return out
}

export const orderForSignal = (s: TradingState, e: Envelope<SignalEmitted>): readonly EventDraft[] => {
  const sig = e.payload
  const qty = sig.qty ?? 1
  const target = sig.intent === 'LONG' ? qty : sig.intent === 'SHORT' ? -qty : 0
  const priced = sig.orderType === undefined ? '' : ` by ${sig.orderType}`
  const reason = `${sig.intent} ${sig.intent === 'FLAT' ? '' : `${qty} `}(held {held})${priced}: ${sig.reason}`
  const request: TargetRequest = { strategyId: sig.strategyId, instrumentKey: sig.instrumentKey, target, reason }
  return orderForTarget(s, sig.orderType === undefined ? request : { ...request, order: sig }, e)
}
