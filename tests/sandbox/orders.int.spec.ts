import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type Harness, placeBody, RELIANCE, startHarness, TCS } from './sandboxHarness.js'

// Order matching against a manually stepped market, over real HTTP: every order type filling, partially filling,
// rejecting and cancelling, with the status strings and fields Upstox reports.

describe('upstox sandbox orders', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness({ participation: 1 })
  })
  afterEach(() => h.sandbox.close())

  const place = async (o: Record<string, unknown>, version: 'v2' | 'v3' = 'v2'): Promise<string> => {
    const r = await h.api('POST', `/${version}/order/place`, placeBody(o))
    expect(r.status).toBe(200)
    return version === 'v2' ? r.json.data.order_id : r.json.data.order_ids[0]
  }
  const details = async (orderId: string) => (await h.api('GET', `/v2/order/details?order_id=${orderId}`)).json.data
  const history = async (orderId: string): Promise<string[]> =>
    (await h.api('GET', `/v2/order/history?order_id=${orderId}`)).json.data.map((r: { status: string }) => r.status)
  const ltp = (key = RELIANCE) => h.sandbox.market.quote(key)!.ltpPaise / 100
  const round05 = (x: number) => Math.round(x * 20) / 20

  it('fills a MARKET order at the next tick, with v3 envelope, trades and a position', async () => {
    const r = await h.api('POST', '/v3/order/place', placeBody({ quantity: 5 }))
    expect(r.json).toMatchObject({ status: 'success', data: { order_ids: [expect.any(String)] } })
    expect(r.json.metadata).toHaveProperty('latency')
    const id = r.json.data.order_ids[0]
    expect((await details(id)).status).toBe('open')
    const [tick] = h.sandbox.market.step(1).filter((t) => t.instrumentKey === RELIANCE)
    const d = await details(id)
    expect(d).toMatchObject({ status: 'complete', filled_quantity: 5, pending_quantity: 0, tag: 'bahi-test' })
    expect(d.average_price).toBe(tick!.pricePaise / 100)
    expect(await history(id)).toEqual([
      'put order req received',
      'validation pending',
      'open pending',
      'open',
      'complete',
    ])
    const trades = (await h.api('GET', `/v2/order/trades?order_id=${id}`)).json.data
    expect(trades).toHaveLength(1)
    expect(trades[0]).toMatchObject({ order_id: id, quantity: 5, transaction_type: 'BUY', trading_symbol: 'RELIANCE' })
    expect((await h.api('GET', '/v2/order/trades/get-trades-for-day')).json.data).toHaveLength(1)
    const pos = (await h.api('GET', '/v2/portfolio/short-term-positions')).json.data
    expect(pos[0]).toMatchObject({ instrument_token: RELIANCE, quantity: 5, day_buy_quantity: 5, product: 'I' })
  })

  it('keeps a LIMIT order below the market open, fills it after a modify, and realises P&L on the way out', async () => {
    h.sandbox.market.step(1)
    const id = await place({ order_type: 'LIMIT', price: round05(ltp() * 0.5), quantity: 3 })
    h.sandbox.market.step(8)
    expect((await details(id)).status).toBe('open')
    const mod = await h.api('PUT', '/v3/order/modify', {
      order_id: id,
      quantity: 3,
      validity: 'DAY',
      price: round05(ltp() * 1.5),
      order_type: 'LIMIT',
      trigger_price: 0,
    })
    expect(mod.json).toMatchObject({ status: 'success', data: { order_id: id } })
    h.sandbox.market.step(1)
    const d = await details(id)
    expect(d.status).toBe('complete')
    expect(d.average_price).toBeLessThanOrEqual(round05(ltp() * 1.5))
    expect(await history(id)).toContain('modified')
    const sell = await place({ transaction_type: 'SELL', quantity: 3 })
    h.sandbox.market.step(1)
    expect((await details(sell)).status).toBe('complete')
    const pos = (await h.api('GET', '/v2/portfolio/short-term-positions')).json.data[0]
    expect(pos.quantity).toBe(0)
    expect(pos.realised).toBeCloseTo((await details(sell)).average_price * 3 - d.average_price * 3, 2)
  })

  it('holds SL and SL-M orders in trigger pending until the price crosses the trigger', async () => {
    h.sandbox.market.step(1)
    const far = await place({ order_type: 'SL-M', transaction_type: 'BUY', trigger_price: round05(ltp() * 1.5) })
    // A SELL stop above the market triggers on the next tick.
    const near = await place({ order_type: 'SL-M', transaction_type: 'SELL', trigger_price: round05(ltp() * 1.2) })
    const slLimit = await place({
      order_type: 'SL',
      transaction_type: 'SELL',
      trigger_price: round05(ltp() * 1.2),
      price: round05(ltp() * 0.9),
    })
    expect((await details(far)).status).toBe('trigger pending')
    h.sandbox.market.step(1)
    expect((await details(far)).status).toBe('trigger pending')
    expect((await details(near)).status).toBe('complete')
    expect(await history(near)).toEqual([
      'put order req received',
      'validation pending',
      'open pending',
      'trigger pending',
      'open',
      'complete',
    ])
    expect((await details(slLimit)).status).toBe('complete')
    const c = await h.api('DELETE', `/v2/order/cancel?order_id=${far}`)
    expect(c.json).toEqual({ status: 'success', data: { order_id: far } })
    expect((await details(far)).status).toBe('cancelled')
  })

  it('fills partially under the participation cap, and a cancel keeps the filled quantity', async () => {
    const local = await startHarness({ participation: 0.01 })
    try {
      const r = await local.api('POST', '/v2/order/place', placeBody({ quantity: 1000, instrument_token: TCS }))
      const id = r.json.data.order_id
      const [tick] = local.sandbox.market.step(1).filter((t) => t.instrumentKey === TCS)
      const cap = Math.max(1, Math.floor(tick!.qty * 0.01))
      let d = (await local.api('GET', `/v2/order/details?order_id=${id}`)).json.data
      expect(d).toMatchObject({ status: 'open', filled_quantity: cap, pending_quantity: 1000 - cap })
      const c = await local.api('DELETE', `/v3/order/cancel?order_id=${id}`)
      expect(c.json).toMatchObject({ status: 'success', data: { order_id: id }, metadata: {} })
      d = (await local.api('GET', `/v2/order/details?order_id=${id}`)).json.data
      expect(d).toMatchObject({ status: 'cancelled', filled_quantity: cap })
      const again = await local.api('DELETE', `/v2/order/cancel?order_id=${id}`)
      expect(again.status).toBe(400)
      expect(again.json.errors[0].errorCode).toBe('UDAPI100040')
    } finally {
      await local.sandbox.close()
    }
  })

  it('cancels the unfilled part of an IOC order after one tick', async () => {
    const id = await place({ order_type: 'LIMIT', validity: 'IOC', price: 1 })
    h.sandbox.market.step(1)
    const d = await details(id)
    expect(d.status).toBe('cancelled')
    expect(d.status_message).toContain('IOC')
  })

  it('rejects bad instruments, zero quantity, off-tick prices and orders beyond the funds, with messages', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ instrument_token: 'NSE_EQ|INE000000000' }, /not a valid instrument/],
      [{ quantity: 0 }, /Quantity should be greater than zero/],
      [{ order_type: 'LIMIT', price: 1234.03 }, /tick size/],
      [{ quantity: 1_000_000, product: 'D' }, /^RMS:Margin Exceeds/],
    ]
    for (const [body, message] of cases) {
      const id = await place(body)
      const d = await details(id)
      expect(d.status).toBe('rejected')
      expect(d.status_message).toMatch(message)
      expect(await history(id)).toEqual(['put order req received', 'validation pending', 'rejected'])
    }
    const off = await h.api('POST', '/v2/order/place', placeBody({ order_type: 'STOP' }))
    expect(off.status).toBe(400)
    expect(off.json.errors[0]).toMatchObject({
      errorCode: 'UDAPI1056',
      propertyPath: 'order_type',
      invalidValue: 'STOP',
    })
    const noValidity = await h.api('POST', '/v2/order/place', { ...placeBody(), validity: undefined })
    expect(noValidity.json.errors[0].errorCode).toBe('UDAPI1007')
  })

  it('finds orders by tag and answers unknown ids with UDAPI100010', async () => {
    const a = await place({ tag: 'strat-a-1' })
    await place({ tag: 'strat-b-1' })
    const byTag = await h.api('GET', '/v2/order/history?tag=strat-a-1')
    expect(new Set(byTag.json.data.map((r: { order_id: string }) => r.order_id))).toEqual(new Set([a]))
    expect((await h.api('GET', '/v2/order/details?tag=strat-a-1')).json.data.order_id).toBe(a)
    const book = (await h.api('GET', '/v2/order/retrieve-all')).json.data
    expect(book.map((r: { tag: string }) => r.tag)).toEqual(['strat-a-1', 'strat-b-1'])
    const missing = await h.api('GET', '/v2/order/details?order_id=123456')
    expect(missing.status).toBe(400)
    expect(missing.json.errors[0].errorCode).toBe('UDAPI100010')
    expect((await h.api('GET', '/v2/order/details')).json.errors[0].errorCode).toBe('UDAPI1023')
  })

  it('places several orders at once with partial_success, then exits every open position', async () => {
    const r = await h.api('POST', '/v2/order/multi/place', [
      { ...placeBody({ quantity: 2 }), correlation_id: 'a' },
      { ...placeBody({ order_type: 'NOPE' }), correlation_id: 'b' },
      { ...placeBody({ quantity: 1, instrument_token: TCS, transaction_type: 'SELL' }), correlation_id: 'c' },
    ])
    expect(r.status).toBe(200)
    expect(r.json.status).toBe('partial_success')
    expect(r.json.data.map((x: { correlation_id: string }) => x.correlation_id)).toEqual(['a', 'c'])
    expect(r.json.errors[0]).toMatchObject({ correlation_id: 'b', error_code: 'UDAPI1056' })
    expect(r.json.summary).toEqual({ total: 3, success: 2, error: 1 })
    h.sandbox.market.step(1)
    const exit = await h.api('POST', '/v2/order/positions/exit')
    expect(exit.json.data.order_ids).toHaveLength(2)
    h.sandbox.market.step(1)
    const pos = (await h.api('GET', '/v2/portfolio/short-term-positions')).json.data
    expect(pos.map((p: { quantity: number }) => p.quantity)).toEqual([0, 0])
    expect((await h.api('POST', '/v2/order/positions/exit')).status).toBe(400)
  })

  it('streams order updates as JSON on the authorized portfolio socket', async () => {
    const auth = await h.api('GET', '/v2/feed/portfolio-stream-feed/authorize?update_types=order')
    const ws = new WebSocket(auth.json.data.authorized_redirect_uri)
    const messages: Record<string, unknown>[] = []
    ws.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString('utf8'))))
    await new Promise((r) => ws.once('open', r))
    const id = await place({ quantity: 2 })
    h.sandbox.market.step(1)
    await new Promise((r) => setTimeout(r, 100))
    ws.close()
    const mine = messages.filter((m) => m.order_id === id)
    expect(mine.every((m) => m.update_type === 'order')).toBe(true)
    expect(mine.map((m) => m.status)).toEqual([
      'put order req received',
      'validation pending',
      'open pending',
      'open',
      'complete',
    ])
    expect(mine.at(-1)).toMatchObject({ filled_quantity: 2, instrument_token: RELIANCE })
  })
})
