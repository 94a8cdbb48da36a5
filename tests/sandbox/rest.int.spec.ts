import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { sandboxLogger } from '../../src/adapters/upstoxSandbox/index.js'
import { type Harness, RELIANCE, startHarness, WALL_START_MS } from './sandboxHarness.js'

// The REST surface over real HTTP on loopback: login, envelopes, auth, token expiry, rate limits, market data.

const ERROR_FIELDS = [
  'errorCode',
  'message',
  'propertyPath',
  'invalidValue',
  'error_code',
  'property_path',
  'invalid_value',
]
const RELIANCE_PATH = encodeURIComponent(RELIANCE)

describe('upstox sandbox REST', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(() => h.sandbox.close())

  describe('login', () => {
    it('redirects the dialog with a code and exchanges the code once for a token', async () => {
      const u = h.sandbox.user
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: u.clientId,
        redirect_uri: u.redirectUri,
        state: 's1',
      })
      const dialog = await h.api('GET', `/v2/login/authorization/dialog?${q}`, undefined, null)
      expect(dialog.status).toBe(302)
      const location = new URL(dialog.headers.get('location') ?? '')
      expect(`${location.origin}${location.pathname}`).toBe(u.redirectUri)
      expect(location.searchParams.get('state')).toBe('s1')
      const code = location.searchParams.get('code') ?? ''
      const form = new URLSearchParams({
        code,
        client_id: u.clientId,
        client_secret: u.clientSecret,
        redirect_uri: u.redirectUri,
        grant_type: 'authorization_code',
      })
      const exchange = () =>
        fetch(`${h.sandbox.baseUrl}/v2/login/authorization/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
        })
      const first = await exchange()
      expect(first.status).toBe(200)
      const body = (await first.json()) as Record<string, unknown>
      expect(body).toMatchObject({ user_id: u.userId, broker: 'UPSTOX', extended_token: null })
      expect(typeof body.access_token).toBe('string')
      const profile = await h.api('GET', '/v2/user/profile', undefined, body.access_token as string)
      expect(profile.status).toBe(200)
      expect(profile.json).toMatchObject({ status: 'success', data: { user_id: u.userId } })
      const again = await exchange()
      expect(again.status).toBe(401)
      expect(((await again.json()) as { errors: { errorCode: string }[] }).errors[0]?.errorCode).toBe('UDAPI100016')
    })

    it('refuses a wrong client secret', async () => {
      const res = await fetch(`${h.sandbox.baseUrl}/v2/login/authorization/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          code: h.sandbox.issueAuthCode(),
          client_id: h.sandbox.user.clientId,
          client_secret: 'wrong',
          redirect_uri: h.sandbox.user.redirectUri,
          grant_type: 'authorization_code',
        }).toString(),
      })
      expect(res.status).toBe(401)
    })
  })

  describe('envelopes and auth', () => {
    it('answers 401 UDAPI100050 with the full error envelope on a bad token', async () => {
      const r = await h.api('GET', '/v2/user/profile', undefined, 'not-a-token')
      expect(r.status).toBe(401)
      expect(r.json.status).toBe('error')
      expect(Object.keys(r.json.errors[0]).sort()).toEqual([...ERROR_FIELDS].sort())
      expect(r.json.errors[0]).toMatchObject({ errorCode: 'UDAPI100050', error_code: 'UDAPI100050' })
      expect((await h.api('GET', '/v2/user/profile', undefined, null)).status).toBe(401)
    })

    it('answers an unknown path with 404 UDAPI10000 and bad JSON with 400, and keeps serving', async () => {
      const unknown = await h.api('GET', '/v2/nothing/here')
      expect(unknown.status).toBe(404)
      expect(unknown.json.errors[0].errorCode).toBe('UDAPI10000')
      const res = await fetch(`${h.sandbox.baseUrl}/v2/order/place`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
        body: '{"quantity": ',
      })
      expect(res.status).toBe(400)
      expect(((await res.json()) as { status: string }).status).toBe('error')
      expect((await h.api('GET', '/v2/user/profile')).status).toBe(200)
    })

    it('reports a token as expired from 03:30 IST on the next day', async () => {
      const token = h.sandbox.issueAccessToken()
      const expiry = Date.UTC(2026, 0, 5, 22, 0) // 2026-01-06 03:30 IST
      h.clock.nowMs = expiry - 1
      expect((await h.api('GET', '/v2/user/profile', undefined, token)).status).toBe(200)
      h.clock.nowMs = expiry
      const r = await h.api('GET', '/v2/user/profile', undefined, token)
      expect(r.status).toBe(401)
      expect(r.json.errors[0].errorCode).toBe('UDAPI100050')
      expect(r.json.errors[0].message).toContain('expired at 2026-01-06T03:30:00.000+05:30')
      h.clock.nowMs = WALL_START_MS
    })
  })

  describe('rate limits', () => {
    it('lets exactly 50 standard requests through in a second, then 429 UDAPI10005 without Retry-After', async () => {
      const local = await startHarness()
      try {
        const results = []
        for (let i = 0; i < 52; i++) results.push(await local.api('GET', '/v2/user/profile'))
        expect(results.filter((r) => r.status === 200)).toHaveLength(50)
        const refused = results.at(-1)!
        expect(refused.status).toBe(429)
        expect(refused.json.errors[0].errorCode).toBe('UDAPI10005')
        expect(refused.headers.get('retry-after')).toBeNull()
        local.clock.nowMs += 1000
        expect((await local.api('GET', '/v2/user/profile')).status).toBe(200)
      } finally {
        await local.sandbox.close()
      }
    })

    it('lets exactly 10 order requests through in a second, counted apart from standard requests', async () => {
      const local = await startHarness()
      try {
        const statuses = await Promise.all(
          Array.from({ length: 15 }, () => local.api('DELETE', '/v2/order/cancel?order_id=999')),
        )
        expect(statuses.filter((r) => r.status === 429)).toHaveLength(5)
        expect(statuses.filter((r) => r.status === 400)).toHaveLength(10) // order not found, but counted
        expect((await local.api('GET', '/v2/user/profile')).status).toBe(200)
        local.clock.nowMs += 60_000
        expect((await local.api('DELETE', '/v2/order/cancel?order_id=999')).status).toBe(400)
      } finally {
        await local.sandbox.close()
      }
    })
  })

  describe('account and market data', () => {
    it('serves funds by segment', async () => {
      const r = await h.api('GET', '/v2/user/get-funds-and-margin?segment=SEC')
      expect(r.json.data.equity.available_margin).toBe(h.sandbox.user.capitalPaise / 100)
      expect(r.json.data.commodity).toBeUndefined()
      expect((await h.api('GET', '/v2/user/get-funds-and-margin?segment=XYZ')).status).toBe(400)
    })

    it('serves v2 and v3 historical candles newest first, in INR with +05:30 times', async () => {
      const v2 = await h.api('GET', `/v2/historical-candle/${RELIANCE_PATH}/1minute/2025-01-03/2025-01-02`)
      expect(v2.status).toBe(200)
      const candles = v2.json.data.candles as (string | number)[][]
      expect(candles).toHaveLength(2 * 375)
      expect(candles[0]?.[0]).toBe('2025-01-03T15:29:00+05:30')
      expect(candles.at(-1)?.[0]).toBe('2025-01-02T09:15:00+05:30')
      const row = candles[0]!
      expect(row).toHaveLength(7)
      expect(row[2]! >= row[1]! && row[2]! >= row[4]! && row[3]! <= row[1]!).toBe(true)
      const v3 = await h.api('GET', `/v3/historical-candle/${RELIANCE_PATH}/minutes/30/2025-01-03/2025-01-03`)
      const thirty = v3.json.data.candles as (string | number)[][]
      expect(thirty[thirty.length - 1]?.[0]).toBe('2025-01-03T09:15:00+05:30')
      const volume = (rows: (string | number)[][]) => rows.reduce((s, r) => s + (r[5] as number), 0)
      expect(volume(thirty)).toBe(volume(candles.slice(0, 375)))
      const days = await h.api('GET', `/v3/historical-candle/${RELIANCE_PATH}/days/1/2025-01-10`)
      expect(days.json.data.candles.map((c: string[]) => c[0])).toEqual([
        '2025-01-03T00:00:00+05:30',
        '2025-01-02T00:00:00+05:30',
        '2025-01-01T00:00:00+05:30',
      ])
      expect((await h.api('GET', `/v3/historical-candle/${RELIANCE_PATH}/hours/9/2025-01-03`)).status).toBe(400)
      expect((await h.api('GET', `/v2/historical-candle/NSE_EQ%7CNOPE/day/2025-01-03`)).json.errors[0].errorCode).toBe(
        'UDAPI100011',
      )
    })

    it('serves intraday candles of the completed minutes and quotes keyed by exchange:symbol', async () => {
      h.sandbox.market.step(8)
      const intraday = await h.api('GET', `/v3/historical-candle/intraday/${RELIANCE_PATH}/minutes/1`)
      expect(intraday.json.data.candles.length).toBeGreaterThanOrEqual(2)
      const ltp = await h.api('GET', `/v3/market-quote/ltp?instrument_key=${RELIANCE_PATH},NSE_EQ%7CINE467B01029`)
      expect(Object.keys(ltp.json.data).sort()).toEqual(['NSE_EQ:RELIANCE', 'NSE_EQ:TCS'])
      const q = h.sandbox.market.quote(RELIANCE)!
      expect(ltp.json.data['NSE_EQ:RELIANCE']).toMatchObject({
        last_price: q.ltpPaise / 100,
        instrument_token: RELIANCE,
      })
      const ohlc = await h.api('GET', `/v3/market-quote/ohlc?instrument_key=${RELIANCE_PATH}&interval=1d`)
      expect(ohlc.json.data['NSE_EQ:RELIANCE'].live_ohlc.high).toBe(q.day!.high / 100)
      const full = await h.api('GET', `/v3/market-quote/quotes?instrument_key=${RELIANCE_PATH}`)
      expect(full.json.data['NSE_EQ:RELIANCE'].depth.buy).toHaveLength(5)
      expect((await h.api('GET', '/v3/market-quote/ltp')).status).toBe(400)
    })

    it('serves the instrument master without auth, plain and gzipped', async () => {
      const res = await fetch(`${h.sandbox.baseUrl}/market-quote/instruments/exchange/complete.json`)
      const rows = (await res.json()) as { instrument_key: string; trading_symbol: string; tick_size: number }[]
      expect(rows.find((r) => r.instrument_key === RELIANCE)).toMatchObject({
        trading_symbol: 'RELIANCE',
        tick_size: 5,
      })
      const gz = await fetch(`${h.sandbox.baseUrl}/market-quote/instruments/exchange/NSE.json.gz`)
      expect(gz.headers.get('content-type')).toBe('application/gzip')
    })

    it('authorizes the feeds with single-use ws URLs in both spellings', async () => {
      const r = await h.api('GET', '/v3/feed/market-data-feed/authorize')
      expect(r.json.data.authorized_redirect_uri).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/.+code=/)
      expect(r.json.data.authorizedRedirectUri).toBe(r.json.data.authorized_redirect_uri)
      const p = await h.api('GET', '/v2/feed/portfolio-stream-feed/authorize?update_types=order,position')
      expect(p.json.data.authorized_redirect_uri).toContain('portfolio-stream')
    })
  })

  describe('public candles, replay speed and logs', () => {
    it('serves historical candles without a token, as Upstox does, but refuses a bad one', async () => {
      const path = `/v2/historical-candle/${RELIANCE_PATH}/day/2025-01-03`
      expect((await h.api('GET', path, undefined, null)).status).toBe(200)
      expect((await h.api('GET', path, undefined, 'bad')).status).toBe(401)
    })

    it('advances the market by itself at the chosen speed', async () => {
      const fast = await startHarness({ speed: 6000 })
      try {
        await new Promise((r) => setTimeout(r, 300))
        expect(fast.sandbox.market.minuteOfSession()).toBeGreaterThan(0)
      } finally {
        await fast.sandbox.close()
      }
    })

    it('redacts secret-bearing fields in anything it logs', () => {
      const lines: string[] = []
      const log = sandboxLogger(pino({ level: 'info' }, { write: (l: string) => lines.push(l) }))
      log.info(
        { authorization: 'Bearer s3cr3t', code: 'c0de', client_secret: 'shh', headers: { authorization: 'x1' } },
        'x',
      )
      expect(lines.join('')).not.toMatch(/s3cr3t|c0de|shh|x1/)
      expect(lines.join('')).toContain('[redacted]')
    })

    it('never writes tokens, codes or the client secret to its log', async () => {
      const local = await startHarness()
      try {
        const u = local.sandbox.user
        const code = local.sandbox.issueAuthCode()
        const res = await fetch(`${local.sandbox.baseUrl}/v2/login/authorization/token?code=${code}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            code,
            client_id: u.clientId,
            client_secret: u.clientSecret,
            redirect_uri: u.redirectUri,
            grant_type: 'authorization_code',
          }).toString(),
        })
        const token = ((await res.json()) as { access_token: string }).access_token
        await local.api('GET', '/v2/user/profile', undefined, token)
        await local.api('GET', '/v2/user/profile', undefined, `${token}x`)
        const auth = await local.api('GET', '/v3/feed/market-data-feed/authorize', undefined, token)
        const wsUrl: string = auth.json.data.authorized_redirect_uri
        const ws = new WebSocket(wsUrl)
        await new Promise((r) => ws.once('message', r))
        ws.terminate()
        const reuse = new WebSocket(wsUrl)
        await new Promise((r) => reuse.once('error', r))
        const logs = local.logLines.join('')
        expect(logs).toContain('request')
        for (const secret of [token, code, u.clientSecret, new URL(wsUrl).searchParams.get('code') ?? '?'])
          expect(logs).not.toContain(secret)
      } finally {
        await local.sandbox.close()
      }
    })
  })

  describe('faults', () => {
    it('injects statuses, delays and dropped connections, then serves normally again', async () => {
      const inject = (body: unknown) => h.api('POST', '/_sandbox/faults/http', body, null)
      expect((await inject({ kind: 'status', status: 503, count: 1, path: '/v2/user' })).status).toBe(200)
      const failed = await h.api('GET', '/v2/user/profile')
      expect(failed.status).toBe(503)
      expect(failed.json.errors[0].errorCode).toBe('UDAPI100500')
      await inject({ kind: 'status', status: 429, count: 1 })
      expect((await h.api('GET', '/v2/user/profile')).json.errors[0].errorCode).toBe('UDAPI10005')
      await inject({ kind: 'delay', ms: 300, count: 1 })
      const t0 = performance.now()
      expect((await h.api('GET', '/v2/user/profile')).status).toBe(200)
      expect(performance.now() - t0).toBeGreaterThanOrEqual(250)
      await inject({ kind: 'drop', count: 1 })
      await expect(h.api('GET', '/v2/user/profile')).rejects.toThrow()
      expect((await h.api('GET', '/v2/user/profile')).status).toBe(200)
      expect((await inject({ kind: 'bogus' })).status).toBe(400)
    })

    it('expires every token on demand', async () => {
      const local = await startHarness()
      try {
        expect((await local.api('POST', '/_sandbox/faults/expire-tokens', {}, null)).status).toBe(200)
        const r = await local.api('GET', '/v2/user/profile')
        expect(r.status).toBe(401)
        expect(r.json.errors[0].message).toContain('expired')
      } finally {
        await local.sandbox.close()
      }
    })
  })
})
