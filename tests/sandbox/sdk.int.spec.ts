import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, RELIANCE, startHarness } from './sandboxHarness.js'

// The official Node SDK, unmodified, against the sandbox: only `basePath` and `orderBasePath` point at it. It logs
// in, places orders (v2 and v3), reads the order book, positions, candles and quotes through its own models.

// biome-ignore lint/suspicious/noExplicitAny: the SDK ships no types
const sdk: any = createRequire(import.meta.url)('upstox-js-sdk')

// biome-ignore lint/suspicious/noExplicitAny: the SDK ships no types
const call = <T = any>(fn: (cb: (error: unknown, data: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((error, data) => (error ? reject(error) : resolve(data))))

describe('the official upstox-js-sdk against the sandbox', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ participation: 1 })
  })
  afterAll(() => h.sandbox.close())

  const client = (token: string | undefined) => {
    const c = new sdk.ApiClient()
    c.basePath = h.sandbox.baseUrl
    c.orderBasePath = h.sandbox.baseUrl
    if (token !== undefined) c.authentications.OAUTH2.accessToken = token
    return c
  }

  it('exchanges an auth code for a token with LoginApi', async () => {
    const u = h.sandbox.user
    const login = new sdk.LoginApi(client(undefined))
    const res = await call((cb) =>
      login.token(
        '2.0',
        {
          code: h.sandbox.issueAuthCode(),
          clientId: u.clientId,
          clientSecret: u.clientSecret,
          redirectUri: u.redirectUri,
          grantType: 'authorization_code',
        },
        cb,
      ),
    )
    expect(res.userId).toBe(u.userId)
    expect(typeof res.accessToken).toBe('string')
    const profile = await call((cb) => new sdk.UserApi(client(res.accessToken)).getProfile('2.0', cb))
    expect(profile.status).toBe('success')
    expect(profile.data.userId).toBe(u.userId)
  })

  it('places an order with OrderApi and reads it back from the order book', async () => {
    const orders = new sdk.OrderApi(client(h.token))
    const body = new sdk.PlaceOrderRequest(5, 'I', 'DAY', 0, RELIANCE, 'MARKET', 'BUY', 0, 0, false)
    body.tag = 'sdk-order-1'
    const placed = await call((cb) => orders.placeOrder(body, '2.0', cb))
    expect(placed.status).toBe('success')
    const orderId = placed.data.orderId
    expect(orderId).toMatch(/^\d+$/)
    h.sandbox.market.step(1)
    const book = await call((cb) => orders.getOrderBook('2.0', cb))
    const row = book.data.find((o: { orderId: string }) => o.orderId === orderId)
    expect(row).toMatchObject({
      status: 'complete',
      tag: 'sdk-order-1',
      instrumentToken: RELIANCE,
      tradingSymbol: 'RELIANCE',
      filledQuantity: 5,
      transactionType: 'BUY',
    })
    const trades = await call((cb) => orders.getTradeHistory('2.0', cb))
    expect(trades.data.some((t: { orderId: string }) => t.orderId === orderId)).toBe(true)
    const positions = await call((cb) => new sdk.PortfolioApi(client(h.token)).getPositions('2.0', cb))
    expect(positions.data[0]).toMatchObject({ instrumentToken: RELIANCE, quantity: 5 })
  })

  it('places with OrderApiV3 and cancels, and sees the SDK report an API error', async () => {
    const c = client(h.token)
    const v3 = new sdk.OrderApiV3(c)
    const body = new sdk.PlaceOrderV3Request(1, 'I', 'DAY', 1, RELIANCE, 'LIMIT', 'BUY', 0, 0, false)
    const placed = await call((cb) => v3.placeOrder(body, {}, cb))
    expect(placed.status).toBe('success')
    const [orderId] = placed.data.orderIds
    const cancelled = await call((cb) => v3.cancelOrder(orderId, cb))
    expect(cancelled.data.orderId).toBe(orderId)
    const err = await call((cb) => v3.cancelOrder(orderId, cb)).catch(
      (e: { status: number; response: { text: string } }) => e,
    )
    expect(err.status).toBe(400)
    expect(JSON.parse(err.response.text).errors[0].errorCode).toBe('UDAPI100040')
  })

  it('modifies, looks up by tag and cancels everything through OrderApi', async () => {
    const orders = new sdk.OrderApi(client(h.token))
    const body = new sdk.PlaceOrderRequest(2, 'I', 'DAY', 1, RELIANCE, 'LIMIT', 'BUY', 0, 0, false)
    body.tag = 'sdk-limit'
    const placed = await call((cb) => orders.placeOrder(body, '2.0', cb))
    const orderId = placed.data.orderId
    const modify = new sdk.ModifyOrderRequest('DAY', 1.5, orderId, 'LIMIT', 0)
    modify.quantity = 3
    const modified = await call((cb) => orders.modifyOrder(modify, '2.0', cb))
    expect(modified.data.orderId).toBe(orderId)
    const status = await call((cb) => orders.getOrderStatus({ orderId }, cb))
    expect(status.data).toMatchObject({ orderId, quantity: 3, price: 1.5, status: 'open' })
    const history = await call((cb) => orders.getOrderDetails('2.0', { tag: 'sdk-limit' }, cb))
    expect(history.data.map((r: { status: string }) => r.status)).toContain('modified')
    const cancelled = await call((cb) => orders.cancelMultiOrder({ tag: 'sdk-limit' }, cb))
    expect(cancelled.data.orderIds).toEqual([orderId])
  })

  it('reads candles and quotes through the SDK models', async () => {
    const c = client(h.token)
    const candles = await call((cb) =>
      new sdk.HistoryV3Api(c).getHistoricalCandleData1(RELIANCE, 'days', '1', '2025-01-03', '2025-01-01', cb),
    )
    expect(candles.data.candles).toHaveLength(3)
    const ltp = await call((cb) => new sdk.MarketQuoteV3Api(c).getLtp({ instrumentKey: RELIANCE }, cb))
    expect(ltp.data['NSE_EQ:RELIANCE'].lastPrice).toBe(h.sandbox.market.quote(RELIANCE)!.ltpPaise / 100)
  })
})
