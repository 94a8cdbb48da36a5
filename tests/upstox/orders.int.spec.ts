import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrokerOrderEvent, TrackedOrder, UpstoxBroker } from '../../src/adapters/upstox/index.js'
import { unsafeMoney } from '../../src/domain/money/index.js'
import { poll, RELIANCE, request, startUpstoxHarness, submitAndTrack, type UpstoxHarness } from './upstoxHarness.js'

// The adapter's order API against the local exchange over real HTTP: placed, filled, partially filled, rejected and
// cancelled orders come back as domain events; positions and trades read back.

const types = (evs: readonly BrokerOrderEvent[]) => evs.map((e) => e.type)

describe('Upstox adapter orders against the sandbox', () => {
  let h: UpstoxHarness
  let b: UpstoxBroker
  beforeAll(async () => {
    h = await startUpstoxHarness({ participation: 1 })
    b = h.broker()
  })
  afterAll(() => h.close())

  it('places a market order with our id as tag, sees it open, then filled', async () => {
    const req = request('ord-fill-1', { qty: unsafeMoney.qty(7) })
    const tracked = await submitAndTrack(b, req)
    expect(h.sandbox.orders.byTag(h.sandbox.user.userId, 'ord-fill-1')).toHaveLength(1)
    const first = await poll(b, [tracked])
    expect(first.events).toEqual([
      {
        type: 'OrderUpdated',
        payload: { orderId: 'ord-fill-1', brokerStatus: 'open', brokerOrderId: tracked.brokerOrderId },
      },
    ])
    h.sandbox.market.step(1)
    const second = await poll(b, first.tracked)
    expect(types(second.events)).toEqual(['OrderFilled', 'OrderUpdated'])
    const fill = second.events[0]
    expect(fill?.type === 'OrderFilled' && fill.payload).toMatchObject({
      orderId: 'ord-fill-1',
      strategyId: 'test.strategy',
      instrumentKey: RELIANCE,
      side: 'BUY',
      fillQty: 7,
      feesPaise: 0,
    })
    const ltp = h.sandbox.market.quote(RELIANCE)?.ltpPaise
    expect(fill?.type === 'OrderFilled' && fill.payload.fillPricePaise).toBe(ltp)
    expect(second.events[1]).toMatchObject({ type: 'OrderUpdated', payload: { brokerStatus: 'complete' } })
    expect(second.tracked[0]?.done).toBe(true)
    // Nothing new on a further poll.
    expect((await poll(b, second.tracked)).events).toEqual([])
  })

  it('reads positions and trades back', async () => {
    const positions = await b.orders.positions()()
    expect(E.isRight(positions) && positions.right.find((p) => p.instrument_token === RELIANCE)?.day_buy_quantity).toBe(
      7,
    )
    const trades = await b.orders.trades()()
    expect(E.isRight(trades) && trades.right.map((t) => t.quantity)).toEqual([7])
  })

  it('reports a venue rejection (price off the 0.05 tick) as OrderRejected with the venue message', async () => {
    const req = request('ord-offtick', { orderType: 'LIMIT', limitPricePaise: unsafeMoney.price(100_003) })
    const tracked = await submitAndTrack(b, req)
    const r = await poll(b, [tracked])
    expect(r.events).toHaveLength(1)
    expect(r.events[0]).toMatchObject({
      type: 'OrderRejected',
      payload: { orderId: 'ord-offtick', brokerStatus: 'rejected' },
    })
    expect(r.events[0]?.type === 'OrderRejected' && r.events[0].payload.reason.length).toBeGreaterThan(0)
    expect(r.tracked[0]?.done).toBe(true)
  })

  it('reports a margin rejection', async () => {
    const req = request('ord-margin', { qty: unsafeMoney.qty(1_000_000) })
    const tracked = await submitAndTrack(b, req)
    const r = await poll(b, [tracked])
    const ev = r.events[0]
    expect(ev?.type).toBe('OrderRejected')
    expect(ev?.type === 'OrderRejected' && ev.payload.reason).toMatch(/Margin/)
  })

  it('turns a request the API refuses outright (400) into OrderRejected without an order', async () => {
    const r = await b.orders.submit(request('ord-bad-product', { product: 'X' as 'I' }))()
    expect(E.isRight(r) && r.right.type).toBe('OrderRejected')
    expect(h.sandbox.orders.byTag(h.sandbox.user.userId, 'ord-bad-product')).toHaveLength(0)
  })

  it('cancels a working limit order and reports OrderCancelled', async () => {
    const req = request('ord-cancel', { orderType: 'LIMIT', limitPricePaise: unsafeMoney.price(100) })
    const tracked = await submitAndTrack(b, req)
    const open = await poll(b, [tracked])
    expect(types(open.events)).toEqual(['OrderUpdated'])
    const c = await b.orders.cancel(tracked.brokerOrderId)()
    expect(E.isRight(c) && c.right.order_id).toBe(tracked.brokerOrderId)
    const r = await poll(b, open.tracked)
    expect(r.events).toEqual([{ type: 'OrderCancelled', payload: { orderId: 'ord-cancel', reason: 'cancelled' } }])
  })

  it('moves a working stop’s trigger (PUT /v2/order/modify); one no longer working is refused with the venue’s reason', async () => {
    const stop = { orderType: 'SL-M' as const, side: 'SELL' as const, triggerPricePaise: unsafeMoney.price(5_00) }
    const req = request('ord-modify', stop)
    const tracked = await submitAndTrack(b, req)
    const moved = { ...req, orderId: req.orderId, triggerPricePaise: unsafeMoney.price(6_05) }
    const m = await b.orders.modify(tracked.brokerOrderId, { ...moved, limitPricePaise: undefined })()
    expect(E.isRight(m) && m.right.order_id).toBe(tracked.brokerOrderId)
    const [atVenue] = h.sandbox.orders.byTag(h.sandbox.user.userId, 'ord-modify')
    expect([atVenue?.orderType, atVenue?.triggerPaise, atVenue?.quantity, atVenue?.status]).toEqual([
      'SL-M',
      6_05,
      5,
      'trigger pending',
    ])
    // The venue's status history shows the modification; our order state machine maps each string.
    const r = await poll(b, [tracked])
    expect(r.events.map((e) => (e.type === 'OrderUpdated' ? e.payload.brokerStatus : e.type))).toEqual([
      'trigger pending',
    ])
    expect(E.isRight(await b.orders.cancel(tracked.brokerOrderId)())).toBe(true)
    const refused = await b.orders.modify(tracked.brokerOrderId, { ...moved, limitPricePaise: undefined })()
    expect(E.isLeft(refused) && refused.left).toMatchObject({ _tag: 'BrokerRejected' })
    expect(E.isLeft(refused) && JSON.stringify(refused.left)).toContain('Modify of already cancelled')
  })

  it('refuses to send a stop without its trigger, before any call', async () => {
    const r = await b.orders.modify('ANY', {
      orderId: 'ord-x',
      qty: 5,
      orderType: 'SL-M',
      validity: 'DAY',
      limitPricePaise: undefined,
      triggerPricePaise: undefined,
    })()
    expect(E.isLeft(r) && r.left).toEqual({
      _tag: 'BrokerRequestInvalid',
      reason: 'order ord-x: a SL-M order needs its trigger price',
    })
  })
})

describe('partial fills', () => {
  let h: UpstoxHarness
  beforeAll(async () => {
    h = await startUpstoxHarness({ participation: 0.0001 })
  })
  afterAll(() => h.close())

  it('reports one OrderFilled per trade while the order stays open, then complete', async () => {
    const b = h.broker()
    const req = request('ord-partial', { qty: unsafeMoney.qty(40) })
    let tracked: readonly TrackedOrder[] = [await submitAndTrack(b, req)]
    const all: BrokerOrderEvent[] = []
    for (let i = 0; i < 400 && !tracked[0]?.done; i++) {
      h.sandbox.market.step(1)
      const r = await poll(b, tracked)
      all.push(...r.events)
      tracked = r.tracked
    }
    const fills = all.flatMap((e) => (e.type === 'OrderFilled' ? [e.payload.fillQty] : []))
    expect(fills.length).toBeGreaterThan(1)
    expect(fills.reduce((a, q) => a + q, 0)).toBe(40)
    expect(all.at(-1)).toMatchObject({ type: 'OrderUpdated', payload: { brokerStatus: 'complete' } })
    // The order was reported open (partially filled) before it completed.
    expect(
      all.filter((e) => e.type === 'OrderUpdated').map((e) => e.type === 'OrderUpdated' && e.payload.brokerStatus),
    ).toEqual(['open', 'complete'])
  })
})
