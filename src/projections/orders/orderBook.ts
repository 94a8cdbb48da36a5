import type {
  Envelope,
  OrderRequested,
  OrderType,
  Product,
  ProtectiveExit,
  Side,
  Validity,
} from '../../domain/events/index.js'
import type { InstrumentKey, OrderId, StrategyId } from '../../domain/ids/index.js'
import { isTerminal, mapUpstoxStatus, type OrderStatus } from '../../domain/orders/index.js'

// The order state machine as a fold. Every order event moves one order; terminal states stay terminal (a late
// report is counted in `lateEvents`, and a late fill still counts its quantity, because the shares did change
// hands). State is updated in place: it belongs to exactly one fold (see tradingState.ts).

export interface OrderView {
  readonly orderId: OrderId
  readonly strategyId: StrategyId
  readonly instrumentKey: InstrumentKey
  readonly side: Side
  readonly qty: number
  readonly orderType: OrderType
  readonly product: Product
  readonly validity: Validity
  /** The prices it works at: the request's, then each confirmed modification's (`OrderModified`). */
  limitPricePaise: number | undefined
  triggerPricePaise: number | undefined
  /** Set on a resting exit the engine placed for a position (docs/exits.md): it only ever reduces that position. */
  readonly protects: ProtectiveExit | undefined
  status: OrderStatus
  filledQty: number
  /** Sum of fillQty x fillPrice, so the average fill price is `filledValuePaise / filledQty`. */
  filledValuePaise: number
  feesPaise: number
  brokerOrderId: string | undefined
  brokerStatus: string | undefined
  /** Why it was denied, rejected, cancelled or expired; the request's reason until then. */
  reason: string
  readonly requestedSeq: number
  lastSeq: number
  /** Events that arrived after the order was already terminal, or with a status string we do not know. */
  lateEvents: number
  /** A modification asked for and not yet confirmed or refused (at most one at a time, see docs/exits.md). */
  modifyPending: PendingModify | undefined
  /** When the last modification was asked for; undefined if none was. */
  lastModifyTs: number | undefined
}

export interface PendingModify {
  readonly reason: string
  readonly limitPricePaise?: number
  readonly triggerPricePaise?: number
}

export interface OrderBookState {
  readonly orders: Map<string, OrderView>
  /** Orders not yet terminal, by id: what execution and the simulated broker look at. */
  readonly working: Map<string, OrderView>
}

export const createOrderBook = (): OrderBookState => ({ orders: new Map(), working: new Map() })

const open = (req: OrderRequested['payload'], seq: number): OrderView => ({
  orderId: req.orderId,
  strategyId: req.strategyId,
  instrumentKey: req.instrumentKey,
  side: req.side,
  qty: req.qty,
  orderType: req.orderType,
  product: req.product,
  validity: req.validity,
  limitPricePaise: req.limitPricePaise,
  triggerPricePaise: req.triggerPricePaise,
  protects: req.protects,
  status: 'requested',
  filledQty: 0,
  filledValuePaise: 0,
  feesPaise: 0,
  brokerOrderId: undefined,
  brokerStatus: undefined,
  reason: req.reason,
  requestedSeq: seq,
  lastSeq: seq,
  lateEvents: 0,
  modifyPending: undefined,
  lastModifyTs: undefined,
})

const move = (book: OrderBookState, o: OrderView, next: OrderStatus, seq: number): void => {
  o.lastSeq = seq
  if (isTerminal(o.status)) {
    o.lateEvents++
    return
  }
  o.status = next
  if (isTerminal(next)) book.working.delete(o.orderId)
}

/**
 * The order a modification (asked for, or confirmed) is about, if it is still working; the event is its latest either
 * way, and one about an order already terminal is counted late.
 */
const modifiable = (book: OrderBookState, orderId: string, seq: number): OrderView | undefined => {
  const o = book.orders.get(orderId)
  if (o === undefined) return undefined
  o.lastSeq = seq
  if (!isTerminal(o.status)) return o
  o.lateEvents++
  return undefined
}

/** Applies one event to the order book; events that are not about orders leave it unchanged. */
export const evolveOrderBook = (book: OrderBookState, e: Envelope): OrderBookState => {
  switch (e.type) {
    case 'OrderRequested': {
      if (book.orders.has(e.payload.orderId)) return book
      const o = open(e.payload, e.seq)
      book.orders.set(o.orderId, o)
      book.working.set(o.orderId, o)
      return book
    }
    case 'OrderDenied':
    case 'OrderRejected':
    case 'OrderCancelled':
    case 'OrderExpired': {
      const o = book.orders.get(e.payload.orderId)
      if (o === undefined) return book
      const next: OrderStatus =
        e.type === 'OrderDenied'
          ? 'denied'
          : e.type === 'OrderRejected'
            ? 'rejected'
            : e.type === 'OrderCancelled'
              ? 'cancelled'
              : 'expired'
      if (!isTerminal(o.status) && 'reason' in e.payload && e.payload.reason !== undefined) o.reason = e.payload.reason
      if (e.type === 'OrderRejected' && e.payload.brokerStatus !== undefined && !isTerminal(o.status)) {
        o.brokerStatus = e.payload.brokerStatus
      }
      move(book, o, next, e.seq)
      return book
    }
    case 'OrderSubmitted': {
      const o = book.orders.get(e.payload.orderId)
      if (o !== undefined) move(book, o, 'submitted', e.seq)
      return book
    }
    case 'OrderAccepted': {
      const o = book.orders.get(e.payload.orderId)
      if (o === undefined) return book
      if (!isTerminal(o.status)) o.brokerOrderId = e.payload.brokerOrderId
      move(
        book,
        o,
        o.filledQty > 0
          ? 'partially_filled'
          : o.orderType === 'SL' || o.orderType === 'SL-M'
            ? 'trigger_pending'
            : 'open',
        e.seq,
      )
      return book
    }
    case 'OrderUpdated': {
      const o = book.orders.get(e.payload.orderId)
      if (o === undefined) return book
      const mapped = mapUpstoxStatus(e.payload.brokerStatus)
      if (mapped === undefined) {
        o.lateEvents++
        o.lastSeq = e.seq
        return book
      }
      if (!isTerminal(o.status)) {
        o.brokerStatus = e.payload.brokerStatus
        if (e.payload.brokerOrderId !== undefined) o.brokerOrderId = e.payload.brokerOrderId
        if (e.payload.statusMessage !== undefined) o.reason = e.payload.statusMessage
      }
      move(book, o, mapped === 'open' && o.filledQty > 0 ? 'partially_filled' : mapped, e.seq)
      return book
    }
    case 'OrderModifyRequested': {
      const o = modifiable(book, e.payload.orderId, e.seq)
      if (o === undefined) return book
      const { orderId: _id, ...asked } = e.payload
      o.modifyPending = asked
      o.lastModifyTs = e.ts
      return book
    }
    case 'OrderModified': {
      const o = modifiable(book, e.payload.orderId, e.seq)
      if (o === undefined) return book
      if (e.payload.limitPricePaise !== undefined) o.limitPricePaise = e.payload.limitPricePaise
      if (e.payload.triggerPricePaise !== undefined) o.triggerPricePaise = e.payload.triggerPricePaise
      // The order now works for the modification's reason (a trailing stop's new level), which its fill reports.
      if (o.modifyPending !== undefined) o.reason = o.modifyPending.reason
      o.modifyPending = undefined
      return book
    }
    case 'OrderModifyDenied': {
      // Our own rules refused the move before it was asked of the venue: the order is unchanged.
      const o = book.orders.get(e.payload.orderId)
      if (o !== undefined) o.lastSeq = e.seq
      return book
    }
    case 'OrderModifyRejected': {
      const o = book.orders.get(e.payload.orderId)
      if (o === undefined) return book
      o.lastSeq = e.seq
      o.modifyPending = undefined
      return book
    }
    case 'OrderCancelRequested': {
      const o = book.orders.get(e.payload.orderId)
      if (o !== undefined) move(book, o, 'pending_cancel', e.seq)
      return book
    }
    case 'OrderFilled': {
      const o = book.orders.get(e.payload.orderId)
      if (o === undefined) return book
      o.filledQty += e.payload.fillQty
      o.filledValuePaise += e.payload.fillQty * e.payload.fillPricePaise
      o.feesPaise += e.payload.feesPaise
      // Upstox may report `complete` before the trades arrive: a fill within the quantity is then not late.
      if (o.status === 'filled' && o.filledQty <= o.qty) o.lastSeq = e.seq
      // A part filled while a cancel is in flight leaves the cancel in flight (the venue still has it).
      else if (o.status === 'pending_cancel' && o.filledQty < o.qty) o.lastSeq = e.seq
      else move(book, o, o.filledQty >= o.qty ? 'filled' : 'partially_filled', e.seq)
      return book
    }
    default:
      return book
  }
}
