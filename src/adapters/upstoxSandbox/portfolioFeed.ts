import type { Logger } from 'pino'
import type { WebSocket } from 'ws'
import type { Faults } from './faults.js'
import { createFeedConnections } from './feedConnections.js'
import type { OrderEngine } from './orderEngine.js'

// The portfolio stream: JSON text messages, one per order status change, `{"update_type":"order", ...the order
// book row}`, to the user's authorized socket when it asked for `order` updates.

export const createPortfolioFeed = (o: {
  readonly orders: OrderEngine
  readonly faults: Faults
  readonly log: Logger
  readonly heartbeatMs: number
}) => {
  const conns = createFeedConnections<{ readonly updateTypes: readonly string[] }>(o)
  const unsubscribe = o.orders.onOrderUpdate((userId, row) => {
    for (const c of conns.all()) {
      if (c.userId !== userId || !c.state.updateTypes.includes('order')) continue
      conns.send(c, JSON.stringify({ update_type: 'order', user_id: userId, ...row }))
    }
  })
  return {
    accept: (ws: WebSocket, userId: string, updateTypes: readonly string[], authorized: () => boolean) => {
      conns.add(ws, userId, { updateTypes }, authorized)
    },
    closeAll: conns.closeAll,
    closeExpired: conns.closeExpired,
    count: conns.count,
    stop: () => {
      unsubscribe()
      conns.stop()
    },
  }
}

export type PortfolioFeed = ReturnType<typeof createPortfolioFeed>
