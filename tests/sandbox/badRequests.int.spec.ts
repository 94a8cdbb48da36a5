import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from './sandboxHarness.js'

// One bad request never takes the sandbox down: every endpoint, fed bodies and queries of the wrong shape, answers
// with an envelope and a 4xx, and the server keeps serving.

const ENDPOINTS: readonly [string, string][] = [
  ['POST', '/v2/order/place'],
  ['POST', '/v3/order/place'],
  ['POST', '/v2/order/multi/place'],
  ['PUT', '/v2/order/modify'],
  ['PUT', '/v3/order/modify'],
  ['DELETE', '/v2/order/cancel?order_id=%00%01'],
  ['DELETE', '/v3/order/cancel?order_id='],
  ['GET', '/v2/order/details?order_id=x&tag='],
  ['GET', '/v2/order/history?tag=%FF'],
  ['GET', '/v2/order/trades?order_id=../../etc'],
  ['GET', '/v2/historical-candle/%E0%A4%A/day/2025-01-03'],
  ['GET', '/v2/historical-candle/NSE_EQ%7CINE002A01018/day/2025-02-30/2025-13-01'],
  ['GET', '/v3/historical-candle/NSE_EQ%7CINE002A01018/minutes/0/2025-01-03'],
  ['GET', '/v3/historical-candle/NSE_EQ%7CINE002A01018/days/1/2025-01-01/2025-01-03'],
  ['GET', '/v3/market-quote/ohlc?instrument_key=,,,'],
  ['GET', '/v2/user/get-funds-and-margin?segment=%22'],
  ['POST', '/_sandbox/faults/feed'],
  ['PATCH', '/v2/order/place'],
]

const BODIES: readonly unknown[] = [
  null,
  [],
  'text',
  42,
  { quantity: 'ten', price: null },
  { order_id: {}, quantity: -1, validity: 'DAY', order_type: 'LIMIT', price: 1, trigger_price: 0 },
  [{ correlation_id: { a: 1 } }, 7],
  { ticks: -5, action: 'close', code: 4000 },
]

describe('upstox sandbox under bad requests', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({
      rateLimits: { standard: [{ windowMs: 1000, max: 1e9 }], order: [{ windowMs: 1000, max: 1e9 }] },
    })
  })
  afterAll(() => h.sandbox.close())

  it('answers every malformed request with an error envelope and a 4xx', async () => {
    for (const [method, path] of ENDPOINTS)
      for (const body of BODIES) {
        const r = await h.api(method, path, method === 'GET' ? undefined : body)
        expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400)
        expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBeLessThan(500)
        expect(r.json?.status, `${method} ${path}`).toBe('error')
      }
    for (const body of [{ ticks: -5 }, { ticks: 1.5 }, 'text', []])
      expect((await h.api('POST', '/_sandbox/market/step', body, null)).status).toBe(400)
    const raw = await fetch(`${h.sandbox.baseUrl}/v2/order/place`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
      body: 'x'.repeat(2 << 20),
    })
    expect(raw.status).toBe(400)
    expect((await h.api('GET', '/v2/user/profile')).status).toBe(200)
  })
})
