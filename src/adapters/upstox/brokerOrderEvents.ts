import * as E from 'fp-ts/lib/Either.js'
import type { OrderCancelled, OrderFilled, OrderRejected, OrderUpdated, Side } from '../../domain/events/index.js'
import type { InstrumentKey, OrderId, StrategyId } from '../../domain/ids/index.js'
import { inrToPaise, PricePaise, Qty, unsafeMoney } from '../../domain/money/index.js'
import { isTerminal, mapUpstoxStatus } from '../../domain/orders/index.js'
import type { BrokerError } from './brokerErrors.js'
import type { OrderRow, TradeRow } from './responseCodecs.js'

// From what Upstox reports about one of our orders (its order-book row and its trades) to domain events: one
// `OrderFilled` per trade not seen before (this fill's quantity and price), then the status change if any:
// `OrderRejected`, `OrderCancelled`, or `OrderUpdated` carrying the raw status string (`open`, `trigger pending`,
// `complete`, ...). Every status string is checked against `mapUpstoxStatus`; one we do not know is an error value.

/** What we know about an order we placed, between polls. */
export interface TrackedOrder {
  readonly orderId: OrderId
  readonly brokerOrderId: string
  readonly strategyId: StrategyId
  readonly instrumentKey: InstrumentKey
  readonly side: Side
  readonly lastBrokerStatus?: string
  readonly seenTradeIds: ReadonlySet<string>
  readonly filledQty: number
  readonly done: boolean
}

const NO_FEES = unsafeMoney.paise(0)

export type BrokerOrderEvent = OrderFilled | OrderUpdated | OrderRejected | OrderCancelled

export interface OrderChanges {
  readonly events: readonly BrokerOrderEvent[]
  readonly tracked: TrackedOrder
}

const fillOf = (o: TrackedOrder, trade: TradeRow, path: string): E.Either<BrokerError, OrderFilled> => {
  const qty = Qty.decode(trade.quantity)
  const price = PricePaise.decode(inrToPaise(trade.average_price))
  if (E.isLeft(qty) || E.isLeft(price))
    return E.left({
      _tag: 'BrokerResponseInvalid',
      path,
      paths: [E.isLeft(qty) ? `trade ${trade.trade_id}.quantity` : `trade ${trade.trade_id}.average_price`],
    })
  return E.right({
    type: 'OrderFilled',
    payload: {
      orderId: o.orderId,
      tradeId: trade.trade_id,
      strategyId: o.strategyId,
      instrumentKey: o.instrumentKey,
      side: o.side,
      fillQty: qty.right,
      fillPricePaise: price.right,
      // Upstox trade rows carry no charges; the fee model adds them.
      feesPaise: NO_FEES,
    },
  })
}

const statusEvent = (o: TrackedOrder, row: OrderRow): BrokerOrderEvent => {
  const message = row.status_message ?? undefined
  switch (mapUpstoxStatus(row.status)) {
    case 'rejected':
      return {
        type: 'OrderRejected',
        payload: { orderId: o.orderId, reason: message || row.status, brokerStatus: row.status },
      }
    case 'cancelled':
      return { type: 'OrderCancelled', payload: { orderId: o.orderId, reason: message || row.status } }
    default:
      return {
        type: 'OrderUpdated',
        payload: {
          orderId: o.orderId,
          brokerStatus: row.status,
          brokerOrderId: row.order_id,
          ...(message ? { statusMessage: message } : {}),
        },
      }
  }
}

/**
 * The events since `o` was last seen. A `complete` status is held back until the trades that make it up have been
 * seen, so the fills always come before the status that says the order is filled.
 */
export const orderChanges = (
  o: TrackedOrder,
  row: OrderRow,
  trades: readonly TradeRow[],
  path = '/v2/order/retrieve-all',
): E.Either<BrokerError, OrderChanges> => {
  const state = mapUpstoxStatus(row.status)
  if (state === undefined) return E.left({ _tag: 'UnknownOrderStatus', orderId: o.orderId, brokerStatus: row.status })
  const events: BrokerOrderEvent[] = []
  const seen = new Set(o.seenTradeIds)
  let filledQty = o.filledQty
  for (const trade of trades) {
    if (trade.order_id !== row.order_id || seen.has(trade.trade_id)) continue
    const fill = fillOf(o, trade, path)
    if (E.isLeft(fill)) return fill
    events.push(fill.right)
    seen.add(trade.trade_id)
    filledQty += trade.quantity
  }
  const fillsComplete = state !== 'filled' || filledQty >= row.filled_quantity
  const changed = row.status !== o.lastBrokerStatus && fillsComplete
  if (changed) events.push(statusEvent(o, row))
  return E.right({
    events,
    tracked: {
      ...o,
      seenTradeIds: seen,
      filledQty,
      ...(changed ? { lastBrokerStatus: row.status } : {}),
      done: changed ? isTerminal(state) : o.done,
    },
  })
}

/** A freshly accepted order, before its first poll. */
export const trackOrder = (
  o: Pick<TrackedOrder, 'orderId' | 'brokerOrderId' | 'strategyId' | 'instrumentKey' | 'side'>,
): TrackedOrder => ({ ...o, seenTradeIds: new Set(), filledQty: 0, done: false })
