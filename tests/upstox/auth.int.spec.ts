import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  describeBrokerError,
  fixedToken,
  saveToken,
  storedToken,
  tokenExpiryMs,
} from '../../src/adapters/upstox/index.js'
import { request, startUpstoxHarness, type UpstoxHarness } from './upstoxHarness.js'

// Expired tokens are reported as such: past 03:30 IST the adapter answers TokenExpired without sending anything; a
// token the server refuses (revoked, or expired by the server's clock first) is BrokerUnauthorized.

const requestCount = (lines: readonly string[]) => lines.filter((l) => l.includes('"msg":"request"')).length

describe('expired and refused tokens', () => {
  let h: UpstoxHarness
  beforeAll(async () => {
    h = await startUpstoxHarness()
  })
  afterAll(() => h.close())

  it('past 03:30 IST the next day: TokenExpired before any request is made', async () => {
    const issued = h.clock.nowMs()
    const b = h.broker({ token: fixedToken(h.sandbox.issueAccessToken(), tokenExpiryMs(issued)) })
    const before = requestCount(h.logLines)
    h.clock.shiftMs = tokenExpiryMs(issued) - issued + 1000
    try {
      const r = await b.orders.submit(request('auth-expired'))()
      expect(E.isLeft(r) && r.left).toEqual({ _tag: 'TokenExpired', expiredAtMs: tokenExpiryMs(issued) })
      expect(requestCount(h.logLines)).toBe(before)
      expect(h.sandbox.orders.byTag(h.sandbox.user.userId, 'auth-expired')).toHaveLength(0)
    } finally {
      h.clock.shiftMs = 0
    }
  })

  it('through the token store: orders go out with the stored token until it expires, then TokenExpired', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bahi-auth-'))
    try {
      const issued = h.clock.nowMs()
      saveToken(home, { accessToken: h.sandbox.issueAccessToken(), userId: 'SBX001', issuedAtMs: issued }, {})
      const b = h.broker({ token: storedToken(home, {}, h.clock.nowMs) })
      const ok = await b.orders.submit(request('auth-stored'))()
      expect(E.isRight(ok) && ok.right.type).toBe('OrderAccepted')
      h.clock.shiftMs = tokenExpiryMs(issued) - issued
      const late = await b.orders.submit(request('auth-stored-late'))()
      expect(E.isLeft(late) && late.left._tag).toBe('TokenExpired')
      expect(h.sandbox.orders.byTag(h.sandbox.user.userId, 'auth-stored-late')).toHaveLength(0)
      const none = await h.broker({ token: storedToken(join(home, 'elsewhere'), {}, h.clock.nowMs) }).rest.profile()()
      expect(E.isLeft(none) && none.left._tag).toBe('TokenMissing')
    } finally {
      h.clock.shiftMs = 0
      rmSync(home, { recursive: true, force: true })
    }
  })

  it('a token the server refuses: BrokerUnauthorized, and no retry', async () => {
    const b = h.broker({ token: fixedToken('not-a-token', tokenExpiryMs(h.clock.nowMs())) })
    const r = await b.orders.submit(request('auth-refused'))()
    expect(E.isLeft(r) && r.left).toEqual({
      _tag: 'BrokerUnauthorized',
      path: '/v2/order/place',
      code: 'UDAPI100050',
    })
    expect(E.isLeft(r) && describeBrokerError(r.left)).not.toContain('not-a-token')
    const profile = await b.rest.profile()()
    expect(E.isLeft(profile) && profile.left._tag).toBe('BrokerUnauthorized')
  })

  it('tokens the server expired (fault): BrokerUnauthorized on the next call', async () => {
    const b = h.broker({ token: fixedToken(h.sandbox.issueAccessToken(), tokenExpiryMs(h.clock.nowMs())) })
    expect(E.isRight(await b.rest.profile()())).toBe(true)
    h.sandbox.expireTokens()
    const r = await b.rest.orderBook()()
    expect(E.isLeft(r) && r.left._tag).toBe('BrokerUnauthorized')
  })
})
