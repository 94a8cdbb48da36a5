import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { OrderUpdated } from '../../domain/events/index.js'
import { OrderId } from '../../domain/ids/index.js'
import { inrToPaise } from '../../domain/money/index.js'
import { mapUpstoxStatus, type OrderStatus } from '../../domain/orders/index.js'
import { createFeedSocket, type FeedConnectionOptions, type FeedSocketCounters, feedConnection } from './feedSocket.js'

// The Upstox portfolio stream: JSON text messages (`{"update_type":"order", ...the order book row}`), validated
// with io-ts, over the same self-healing socket as the market feed. Order updates become `OrderUpdated`-shaped
// payloads: the raw broker status is kept (the order state machine maps it) and the mapped state rides along.
// Our order id travels as the Upstox `tag`; an order without a bahi tag (placed elsewhere) still arrives, with
// `orderUpdated` undefined.

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null])

export const PortfolioOrderMessage = t.intersection([
  t.type({ update_type: t.literal('order'), order_id: t.string, status: t.string }),
  t.partial({
    tag: nullable(t.string),
    instrument_token: t.string,
    status_message: nullable(t.string),
    quantity: t.number,
    filled_quantity: t.number,
    pending_quantity: t.number,
    average_price: t.number,
    transaction_type: t.string,
    exchange_timestamp: nullable(t.string),
    order_timestamp: nullable(t.string),
  }),
])
export type PortfolioOrderMessage = t.TypeOf<typeof PortfolioOrderMessage>

const AnyUpdate = t.type({ update_type: t.string })

export interface PortfolioOrderUpdate {
  /** Set when the order carries a bahi order id as its tag. */
  readonly orderUpdated: OrderUpdated['payload'] | undefined
  readonly brokerOrderId: string
  readonly brokerStatus: string
  /** `mapUpstoxStatus(brokerStatus)`; undefined for a status Upstox has never been seen to send. */
  readonly state: OrderStatus | undefined
  readonly instrumentKey: string | undefined
  readonly filledQty: number | undefined
  readonly pendingQty: number | undefined
  readonly averagePricePaise: number | undefined
}

/** `authorize` asks `GET /v2/feed/portfolio-stream-feed/authorize?update_types=order`. */
export interface PortfolioStreamClientOptions extends FeedConnectionOptions {
  readonly onOrderUpdate?: (u: PortfolioOrderUpdate) => void
}

export interface PortfolioStreamCounters extends FeedSocketCounters {
  readonly messages: number
  readonly orderUpdates: number
  /** Valid messages of other update types (position, holding), not handled yet. */
  readonly ignored: number
  /** Messages that are not JSON or fail the codec. */
  readonly malformed: number
}

const pathsOf = (errs: t.Errors): string =>
  errs
    .map((e) =>
      e.context
        .map((c) => c.key)
        .filter(Boolean)
        .join('.'),
    )
    .join(', ')

/** A validated order message as an update. */
export const portfolioOrderUpdate = (m: PortfolioOrderMessage): PortfolioOrderUpdate => {
  const orderId = m.tag !== undefined && m.tag !== null && OrderId.is(m.tag) ? m.tag : undefined
  const statusMessage = m.status_message ?? undefined
  return {
    orderUpdated:
      orderId === undefined
        ? undefined
        : {
            orderId,
            brokerStatus: m.status,
            brokerOrderId: m.order_id,
            ...(statusMessage === undefined || statusMessage === '' ? {} : { statusMessage }),
          },
    brokerOrderId: m.order_id,
    brokerStatus: m.status,
    state: mapUpstoxStatus(m.status),
    instrumentKey: m.instrument_token,
    filledQty: m.filled_quantity,
    pendingQty: m.pending_quantity,
    averagePricePaise: m.average_price === undefined ? undefined : inrToPaise(m.average_price),
  }
}

export const createPortfolioStreamClient = (o: PortfolioStreamClientOptions) => {
  const connection = feedConnection(o, { feed: 'upstox-portfolio', silenceMs: 30_000, pingMs: 10_000 })
  const feed = connection.feed
  let messages = 0
  let orderUpdates = 0
  let ignored = 0
  let malformed = 0

  const onMessage = (data: Buffer): void => {
    messages++
    let json: unknown
    try {
      json = JSON.parse(data.toString('utf8'))
    } catch {
      malformed++
      o.log.warn({ feed, bytes: data.length, malformed }, 'portfolio message is not JSON; skipped')
      return
    }
    const order = PortfolioOrderMessage.decode(json)
    if (E.isRight(order)) {
      orderUpdates++
      o.onOrderUpdate?.(portfolioOrderUpdate(order.right))
      return
    }
    const any = AnyUpdate.decode(json)
    if (E.isRight(any) && any.right.update_type !== 'order') {
      ignored++
      return
    }
    malformed++
    o.log.warn({ feed, paths: pathsOf(order.left), malformed }, 'invalid portfolio message skipped')
  }

  const socket = createFeedSocket({
    ...connection,
    onOpen: () => {},
    onMessage,
    onStatus: (s) => o.onStatus?.(s),
  })

  return {
    start: socket.start,
    status: socket.status,
    lastError: socket.lastError,
    counters: (): PortfolioStreamCounters => ({ ...socket.counters(), messages, orderUpdates, ignored, malformed }),
    close: socket.close,
  }
}

export type PortfolioStreamClient = ReturnType<typeof createPortfolioStreamClient>
