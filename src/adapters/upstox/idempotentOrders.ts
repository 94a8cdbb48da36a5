import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Logger } from 'pino'
import type { OrderAccepted, OrderRejected, OrderRequested } from '../../domain/events/index.js'
import { paiseToInr } from '../../domain/money/index.js'
import { type BrokerError, isAmbiguous } from './brokerErrors.js'
import { type BrokerOrderEvent, orderChanges, type TrackedOrder, trackOrder } from './brokerOrderEvents.js'
import type { OrderHistoryRow } from './responseCodecs.js'
import type { ModifyOrderBody, PlaceOrderBody, UpstoxRest } from './upstoxRest.js'

// Idempotent order placement. Every order carries our OrderId as its Upstox `tag`. When a placement fails in a way
// that leaves open whether Upstox took it (timeout, dropped connection, 5xx, a garbled answer, and 429 to be safe),
// the order is looked up by tag before anything else happens:
//   found  -> it exists: accepted with its broker id, never placed again;
//   absent -> proven not to exist: placed again (at most `maxPlaceAttempts` in all);
//   lookup itself fails every time -> `OrderStateUnknown`, and nothing is placed again.
// A network fault therefore never doubles an order. The one gap: a request delayed in the network for longer than
// the timeout plus `lookupDelayMs` may still reach Upstox after the lookup; `lookupDelayMs` is that margin.

export type SubmitOutcome = OrderAccepted | OrderRejected

/** What a modification sends: the order as it is to work from now on (its remaining quantity is unchanged). */
export interface ModifiedOrder {
  readonly orderId: string
  readonly qty: number
  readonly orderType: OrderRequested['payload']['orderType']
  readonly validity: OrderRequested['payload']['validity']
  readonly limitPricePaise: number | undefined
  readonly triggerPricePaise: number | undefined
}

export const modifyBodyOf = (brokerOrderId: string, o: ModifiedOrder): E.Either<BrokerError, ModifyOrderBody> => {
  const needsPrice = o.orderType === 'LIMIT' || o.orderType === 'SL'
  const needsTrigger = o.orderType === 'SL' || o.orderType === 'SL-M'
  if ((needsPrice && o.limitPricePaise === undefined) || (needsTrigger && o.triggerPricePaise === undefined))
    return E.left({
      _tag: 'BrokerRequestInvalid',
      reason: `order ${o.orderId}: a ${o.orderType} order needs its ${needsTrigger ? 'trigger' : 'limit'} price`,
    })
  return E.right({
    order_id: brokerOrderId,
    quantity: o.qty,
    validity: o.validity,
    price: needsPrice && o.limitPricePaise !== undefined ? paiseToInr(o.limitPricePaise) : 0,
    order_type: o.orderType,
    trigger_price: needsTrigger && o.triggerPricePaise !== undefined ? paiseToInr(o.triggerPricePaise) : 0,
    disclosed_quantity: 0,
  })
}

/** Upstox's "Order not found". */
const NOT_FOUND = 'UDAPI100010'

export interface UpstoxOrdersDeps {
  readonly rest: UpstoxRest
  readonly log: Logger
  readonly sleep: (ms: number) => Promise<void>
  readonly lookupDelayMs: number
  readonly maxPlaceAttempts?: number
  readonly lookupAttempts?: number
}

export const placeBodyOf = (o: OrderRequested['payload']): E.Either<BrokerError, PlaceOrderBody> => {
  const needsPrice = o.orderType === 'LIMIT' || o.orderType === 'SL'
  const needsTrigger = o.orderType === 'SL' || o.orderType === 'SL-M'
  if (needsPrice && o.limitPricePaise === undefined)
    return E.left({
      _tag: 'BrokerRequestInvalid',
      reason: `order ${o.orderId}: a ${o.orderType} order needs a limit price`,
    })
  if (needsTrigger && o.triggerPricePaise === undefined)
    return E.left({
      _tag: 'BrokerRequestInvalid',
      reason: `order ${o.orderId}: a ${o.orderType} order needs a trigger price`,
    })
  return E.right({
    quantity: o.qty,
    product: o.product,
    validity: o.validity,
    price: needsPrice && o.limitPricePaise !== undefined ? paiseToInr(o.limitPricePaise) : 0,
    tag: o.orderId,
    instrument_token: o.instrumentKey,
    order_type: o.orderType,
    transaction_type: o.side,
    disclosed_quantity: 0,
    trigger_price: needsTrigger && o.triggerPricePaise !== undefined ? paiseToInr(o.triggerPricePaise) : 0,
    is_amo: false,
  })
}

export const createUpstoxOrders = (d: UpstoxOrdersDeps) => {
  const maxPlaceAttempts = d.maxPlaceAttempts ?? 3
  const lookupAttempts = d.lookupAttempts ?? 3
  const log = d.log

  /** The order with our tag, 'absent' when Upstox proves there is none, or the last lookup error. */
  const lookup = async (tag: string): Promise<E.Either<BrokerError, OrderHistoryRow | 'absent'>> => {
    let last: BrokerError | undefined
    for (let i = 0; i < lookupAttempts; i++) {
      if (i > 0) await d.sleep(d.lookupDelayMs * 2 ** i)
      const r = await d.rest.orderHistoryByTag(tag)()
      // Our ids are unique, so the tag names one order; its latest row carries the broker's id.
      if (E.isRight(r)) return E.right(r.right.at(-1) ?? 'absent')
      if (r.left._tag === 'BrokerRejected' && r.left.code === NOT_FOUND) return E.right('absent')
      if (!isAmbiguous(r.left) && r.left._tag !== 'BrokerRateLimited') return r
      last = r.left
    }
    return E.left(last ?? { _tag: 'BrokerConnectionLost', path: '/v2/order/history', code: 'no lookup made' })
  }

  const accepted = (o: OrderRequested['payload'], brokerOrderId: string): SubmitOutcome => ({
    type: 'OrderAccepted',
    payload: { orderId: o.orderId, brokerOrderId },
  })

  /** Places `o` exactly once on Upstox (see above): accepted with the broker's order id, or refused by it. */
  const submit =
    (o: OrderRequested['payload']): TE.TaskEither<BrokerError, SubmitOutcome> =>
    async () => {
      const body = placeBodyOf(o)
      if (E.isLeft(body)) return body
      let lastError: BrokerError | undefined
      for (let attempt = 1; attempt <= maxPlaceAttempts; attempt++) {
        const placed = await d.rest.placeOrder(body.right)()
        if (E.isRight(placed)) return E.right(accepted(o, placed.right.order_id))
        const e = placed.left
        lastError = e
        // Understood and refused (a 4xx with an error envelope): the order does not exist.
        if (e._tag === 'BrokerRejected')
          return E.right({
            type: 'OrderRejected',
            payload: { orderId: o.orderId, reason: `${e.code}: ${e.message}` },
          })
        if (!isAmbiguous(e) && e._tag !== 'BrokerRateLimited') return E.left(e)
        log.warn({ orderId: o.orderId, attempt, error: e._tag }, 'order placement ambiguous: looking it up by tag')
        await d.sleep(d.lookupDelayMs)
        const found = await lookup(o.orderId)
        if (E.isLeft(found)) return E.left({ _tag: 'OrderStateUnknown', orderId: o.orderId, cause: found.left })
        if (found.right !== 'absent') {
          log.info({ orderId: o.orderId, brokerOrderId: found.right.order_id }, 'order found by tag: not placed again')
          return E.right(accepted(o, found.right.order_id))
        }
        log.info({ orderId: o.orderId, attempt }, 'order proven absent: placing again')
      }
      return E.left(
        lastError === undefined
          ? { _tag: 'BrokerRequestInvalid', reason: 'maxPlaceAttempts must be at least 1' }
          : { _tag: 'OrderStateUnknown', orderId: o.orderId, cause: lastError },
      )
    }

  /**
   * Polls the order book and the day's trades once and returns the events of every tracked order since its last poll,
   * with the tracking state to keep. Finished orders are left out of the requests' interest but kept in the result.
   */
  const reconcile =
    (
      tracked: readonly TrackedOrder[],
    ): TE.TaskEither<BrokerError, { events: readonly BrokerOrderEvent[]; tracked: readonly TrackedOrder[] }> =>
    async () => {
      if (tracked.every((o) => o.done)) return E.right({ events: [], tracked })
      const book = await d.rest.orderBook()()
      if (E.isLeft(book)) return book
      const trades = await d.rest.tradesForDay()()
      if (E.isLeft(trades)) return trades
      const rows = new Map(book.right.map((r) => [r.order_id, r]))
      const events: BrokerOrderEvent[] = []
      const next: TrackedOrder[] = []
      for (const o of tracked) {
        const row = o.done ? undefined : rows.get(o.brokerOrderId)
        if (row === undefined) {
          next.push(o)
          continue
        }
        const changes = orderChanges(o, row, trades.right)
        if (E.isLeft(changes)) return changes
        for (const ev of changes.right.events) events.push(ev)
        next.push(changes.right.tracked)
      }
      return E.right({ events, tracked: next })
    }

  /** Polls one order (its details and its trades): cheaper than `reconcile` when few orders are working. */
  const pollOrder =
    (o: TrackedOrder): TE.TaskEither<BrokerError, { events: readonly BrokerOrderEvent[]; tracked: TrackedOrder }> =>
    async () => {
      if (o.done) return E.right({ events: [], tracked: o })
      const row = await d.rest.orderDetails(o.brokerOrderId)()
      if (E.isLeft(row)) return row
      const trades = await d.rest.tradesOfOrder(o.brokerOrderId)()
      if (E.isLeft(trades)) return trades
      return orderChanges(o, row.right, trades.right, '/v2/order/details')
    }

  return {
    submit,
    reconcile,
    pollOrder,
    track: trackOrder,
    cancel: (brokerOrderId: string) => d.rest.cancelOrder(brokerOrderId),
    /**
     * Moves a working order's prices. Not retried after an ambiguous failure: a modification is not doubled by a
     * repeat, but one that did land shows in the next poll, and the engine asks again if it did not.
     */
    modify: (brokerOrderId: string, o: ModifiedOrder) => {
      const body = modifyBodyOf(brokerOrderId, o)
      return E.isLeft(body) ? async () => body : d.rest.modifyOrder(body.right)
    },
    positions: () => d.rest.positions(),
    trades: () => d.rest.tradesForDay(),
  }
}

export type UpstoxOrders = ReturnType<typeof createUpstoxOrders>
