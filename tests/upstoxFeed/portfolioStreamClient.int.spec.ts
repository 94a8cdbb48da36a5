import * as E from 'fp-ts/lib/Either.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { createSeededRandom } from '../../src/adapters/synthetic/index.js'
import {
  createPortfolioStreamClient,
  type PortfolioOrderUpdate,
  type PortfolioStreamClient,
} from '../../src/adapters/upstoxFeed/index.js'
import { type Harness, placeBody, startHarness } from '../sandbox/sandboxHarness.js'
import { quietLog, recorder, sandboxAuthorize, startCountingProxy, waitFor } from './feedClientHarness.js'

// The portfolio stream client against the sandbox: order updates validated and mapped, reconnects after drops.

const PATH = '/v2/feed/portfolio-stream-feed/authorize?update_types=order'

describe('portfolio stream client against the sandbox', () => {
  let h: Harness
  let proxy: Awaited<ReturnType<typeof startCountingProxy>>
  let client: PortfolioStreamClient | undefined
  let rec: ReturnType<typeof recorder>
  let updates: PortfolioOrderUpdate[]

  beforeEach(async () => {
    h = await startHarness()
    proxy = await startCountingProxy(Number(new URL(h.sandbox.baseUrl).port))
    rec = recorder()
    updates = []
    const c = createPortfolioStreamClient({
      authorize: sandboxAuthorize(h.sandbox.baseUrl, () => h.token, PATH, proxy.rewrite),
      log: quietLog(),
      backoff: { initialMs: 20, maxMs: 200, factor: 2, jitter: 0.5 },
      random: createSeededRandom(11).next,
      onStatus: rec.onStatus,
      onOrderUpdate: (u) => updates.push(u),
    })
    client = c
    c.start()
    await waitFor(() => c.status() === 'connected', 'connected')
  })
  afterEach(async () => {
    await client?.close()
    await proxy.close()
    await h.sandbox.close()
  })

  const place = async (body: Record<string, unknown>): Promise<string> => {
    const r = await h.api('POST', '/v2/order/place', placeBody(body))
    expect(r.status).toBe(200)
    return r.json.data.order_id
  }

  it('turns order updates into OrderUpdated payloads with the raw status and the mapped state', async () => {
    const brokerId = await place({ tag: 'ord-1', quantity: 1 })
    h.sandbox.market.step(1)
    await waitFor(() => updates.some((u) => u.brokerStatus === 'complete'), 'the fill')
    const mine = updates.filter((u) => u.brokerOrderId === brokerId)
    expect(mine.map((u) => [u.brokerStatus, u.state])).toEqual([
      ['put order req received', 'submitted'],
      ['validation pending', 'submitted'],
      ['open pending', 'submitted'],
      ['open', 'open'],
      ['complete', 'filled'],
    ])
    const last = mine.at(-1)!
    expect(last.orderUpdated).toEqual({ orderId: 'ord-1', brokerStatus: 'complete', brokerOrderId: brokerId })
    expect(last.filledQty).toBe(1)
    expect(last.pendingQty).toBe(0)
    expect(last.averagePricePaise).toBeGreaterThan(0)
    expect(Number.isInteger(last.averagePricePaise)).toBe(true)
    expect(client?.counters()).toMatchObject({ orderUpdates: mine.length, malformed: 0, ignored: 0 })
  })

  it('keeps orders placed without a bahi tag, with no OrderUpdated payload', async () => {
    const brokerId = await place({ tag: null })
    await waitFor(() => updates.some((u) => u.brokerOrderId === brokerId && u.brokerStatus === 'open'), 'open')
    expect(updates.every((u) => u.orderUpdated === undefined)).toBe(true)
  })

  it('reconnects after a drop and receives the next updates on the new socket', async () => {
    expect(h.sandbox.closeFeeds(1006)).toBe(1)
    await waitFor(() => client?.counters().reconnects === 1 && client.status() === 'connected', 'reconnected')
    await place({ tag: 'ord-2', quantity: 1 })
    await waitFor(() => updates.some((u) => u.orderUpdated?.orderId === 'ord-2'), 'update after the reconnect')
    expect(rec.sequence()).toEqual(['connecting', 'connected', 'reconnecting', 'connected'])
    expect(proxy.maxOpen()).toBe(1)
  })

  it('stops with closed and FeedTokenExpired when the token expires', async () => {
    h.sandbox.expireTokens()
    await waitFor(() => client?.status() === 'closed', 'closed')
    expect(client?.lastError()?._tag).toBe('FeedTokenExpired')
    expect(rec.sequence()).toEqual(['connecting', 'connected', 'reconnecting', 'closed'])
  })
})

describe('portfolio stream client message validation', () => {
  it('counts messages that are not JSON or fail the codec, ignores other update types, keeps the connection', async () => {
    // A bare loopback WebSocket server that sends what the sandbox never would.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    await new Promise((r) => wss.once('listening', r))
    const address = wss.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    wss.on('connection', (ws) => {
      ws.send('not json')
      ws.send(JSON.stringify({ update_type: 'order', order_id: 42 }))
      ws.send(JSON.stringify({ update_type: 'position', instrument_token: 'NSE_EQ|X' }))
      ws.send(JSON.stringify({ no_type: true }))
      ws.send(
        JSON.stringify({
          update_type: 'order',
          order_id: 'B1',
          status: 'weird new status',
          tag: 'not a valid order id because of spaces',
          average_price: 1221.2500000001,
        }),
      )
    })
    const updates: PortfolioOrderUpdate[] = []
    const c = createPortfolioStreamClient({
      authorize: async () => E.right(`ws://127.0.0.1:${port}/`),
      log: quietLog(),
      onOrderUpdate: (u) => updates.push(u),
    })
    try {
      c.start()
      await waitFor(() => c.counters().messages === 5, 'five messages')
      expect(c.counters()).toMatchObject({ messages: 5, orderUpdates: 1, ignored: 1, malformed: 3, connections: 1 })
      expect(updates).toEqual([
        {
          orderUpdated: undefined,
          brokerOrderId: 'B1',
          brokerStatus: 'weird new status',
          state: undefined,
          instrumentKey: undefined,
          filledQty: undefined,
          pendingQty: undefined,
          averagePricePaise: 122125,
        },
      ])
      expect(c.status()).toBe('connected')
    } finally {
      await c.close()
      await new Promise((r) => wss.close(r))
    }
  })
})
