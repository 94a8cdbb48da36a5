import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { describeBrokerError } from '../../src/adapters/upstox/index.js'
import { request, startUpstoxHarness, type UpstoxHarness } from './upstoxHarness.js'

// Every injected fault on placement, and no duplicate order: after a timeout, a dropped connection, a 5xx or a 429
// the adapter looks the order up by its tag and places it again only when the venue proves it does not exist.

describe('idempotent placement under faults', () => {
  let h: UpstoxHarness
  beforeAll(async () => {
    h = await startUpstoxHarness()
  })
  afterAll(() => h.close())
  beforeEach(() => h.sandbox.faults.clear())

  const onVenue = (tag: string) => h.sandbox.orders.byTag(h.sandbox.user.userId, tag)

  it('a timeout after the venue took the order: found by tag, not placed again', async () => {
    const b = h.broker({ config: { timeoutMs: 300 } })
    await h.fault({ kind: 'delay', ms: 1500, count: 1, path: '/v2/order/place', after: true })
    const r = await b.orders.submit(request('flt-timeout'))()
    expect(onVenue('flt-timeout')).toHaveLength(1)
    expect(E.isRight(r) && r.right).toEqual({
      type: 'OrderAccepted',
      payload: { orderId: 'flt-timeout', brokerOrderId: onVenue('flt-timeout')[0]?.orderId },
    })
    expect(h.logLines.some((l) => l.includes('order found by tag'))).toBe(true)
  })

  it('a connection dropped after the venue took the order: found by tag, not placed again', async () => {
    const b = h.broker()
    await h.fault({ kind: 'drop', count: 1, path: '/v2/order/place', after: true })
    const r = await b.orders.submit(request('flt-drop-after'))()
    expect(onVenue('flt-drop-after')).toHaveLength(1)
    expect(E.isRight(r) && r.right.type).toBe('OrderAccepted')
  })

  it('a connection dropped before the venue saw the order: proven absent, placed once more', async () => {
    const b = h.broker()
    await h.fault({ kind: 'drop', count: 1, path: '/v2/order/place' })
    const r = await b.orders.submit(request('flt-drop-before'))()
    expect(onVenue('flt-drop-before')).toHaveLength(1)
    expect(E.isRight(r) && r.right.type).toBe('OrderAccepted')
  })

  it.each([500, 502, 503])('HTTP %i twice: looked up, placed again, one order', async (status) => {
    const b = h.broker()
    const tag = `flt-${status}`
    await h.fault({ kind: 'status', status, count: 2, path: '/v2/order/place' })
    const r = await b.orders.submit(request(tag))()
    expect(onVenue(tag)).toHaveLength(1)
    expect(E.isRight(r) && r.right.type).toBe('OrderAccepted')
  })

  it('a 429 on placement: looked up, placed again, one order', async () => {
    const b = h.broker()
    await h.fault({ kind: 'status', status: 429, count: 1, path: '/v2/order/place' })
    const r = await b.orders.submit(request('flt-429'))()
    expect(onVenue('flt-429')).toHaveLength(1)
    expect(E.isRight(r) && r.right.type).toBe('OrderAccepted')
  })

  it('when the lookup cannot answer either, reports OrderStateUnknown and never places again', async () => {
    const b = h.broker()
    await h.fault({ kind: 'status', status: 500, count: 1, path: '/v2/order/place' })
    await h.fault({ kind: 'status', status: 503, count: 3, path: '/v2/order/history' })
    const r = await b.orders.submit(request('flt-unknown'))()
    expect(E.isLeft(r) && r.left).toMatchObject({
      _tag: 'OrderStateUnknown',
      orderId: 'flt-unknown',
      cause: { _tag: 'BrokerUnavailable', status: 503 },
    })
    expect(onVenue('flt-unknown')).toHaveLength(0)
    expect(E.isLeft(r) && describeBrokerError(r.left)).toMatch(/flt-unknown.*not retried/)
  })

  it('gives up after maxPlaceAttempts when every attempt fails and every lookup proves absence', async () => {
    const b = h.broker()
    await h.fault({ kind: 'status', status: 500, count: 3, path: '/v2/order/place' })
    const r = await b.orders.submit(request('flt-exhausted'))()
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'OrderStateUnknown', cause: { _tag: 'BrokerUnavailable' } })
    expect(onVenue('flt-exhausted')).toHaveLength(0)
  })
})
