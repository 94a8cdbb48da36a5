import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import {
  type BrokerError,
  describeBrokerError,
  describeUpstoxConfigError,
  loadUpstoxConfig,
  upstoxLogger,
} from '../../src/adapters/upstox/index.js'

// Secrets never reach a log line or an error message: the adapter's logger redacts every field that could hold
// one, and no error type has a field for one.

const TOKEN = 'eyJ-secret-access-token'
const SECRET = 'client-secret-value-42'
const CODE = 'auth-code-xyz'

describe('redaction', () => {
  it('the adapter logger censors tokens, secrets and codes at the top level and one level down', () => {
    const lines: string[] = []
    const log = upstoxLogger(pino({ level: 'debug' }, { write: (s: string) => lines.push(s) }))
    log.info({ accessToken: TOKEN, access_token: TOKEN, client_secret: SECRET, clientSecret: SECRET, code: CODE }, 'a')
    log.info({ headers: { authorization: `Bearer ${TOKEN}` }, form: { client_secret: SECRET, code: CODE } }, 'b')
    log.info({ token: TOKEN, response: { access_token: TOKEN } }, 'c')
    expect(lines).toHaveLength(3)
    for (const l of lines) for (const s of [TOKEN, SECRET, CODE]) expect(l).not.toContain(s)
    expect(lines[0]).toContain('[redacted]')
  })

  it('the check can fail: an unredacted logger would print the token', () => {
    const lines: string[] = []
    pino({}, { write: (s: string) => lines.push(s) }).info({ accessToken: TOKEN })
    expect(lines[0]).toContain(TOKEN)
  })

  it('config errors name the field, never its value', () => {
    const home = mkdtempSync(join(tmpdir(), 'bahi-cfg-'))
    try {
      writeFileSync(join(home, 'upstox.json'), JSON.stringify({ clientSecret: 42, baseUrl: SECRET }))
      const r = loadUpstoxConfig(home, {})
      expect(E.isLeft(r)).toBe(true)
      const msg = E.isLeft(r) ? describeUpstoxConfigError(r.left) : ''
      expect(msg).toContain('baseUrl')
      expect(msg).toContain('clientSecret')
      expect(msg).not.toContain(SECRET)
      expect(msg).not.toContain('42')
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })

  it('no broker error description carries a secret (they have no field for one)', () => {
    const errors: BrokerError[] = [
      { _tag: 'BrokerTimeout', path: '/v2/order/place', timeoutMs: 100 },
      { _tag: 'BrokerConnectionLost', path: '/v2/order/place', code: 'ECONNRESET' },
      { _tag: 'BrokerRateLimited', path: '/v2/order/place' },
      { _tag: 'BrokerUnauthorized', path: '/v2/user/profile', code: 'UDAPI100050' },
      { _tag: 'TokenExpired', expiredAtMs: 0 },
      { _tag: 'TokenMissing' },
      { _tag: 'TokenUnusable', reason: 'cannot decrypt' },
      { _tag: 'BrokerRejected', path: '/x', status: 400, code: 'UDAPI1', message: 'bad' },
      { _tag: 'BrokerUnavailable', path: '/x', status: 503 },
      { _tag: 'BrokerResponseInvalid', path: '/x', paths: ['data.order_id'] },
      { _tag: 'UnknownOrderStatus', orderId: 'o1', brokerStatus: 'weird' },
      { _tag: 'OrderStateUnknown', orderId: 'o1', cause: { _tag: 'BrokerTimeout', path: '/x', timeoutMs: 1 } },
      { _tag: 'BrokerRequestInvalid', reason: 'no price' },
    ]
    for (const e of errors) {
      const d = describeBrokerError(e)
      expect(d.length).toBeGreaterThan(10)
      for (const s of [TOKEN, SECRET, CODE]) expect(d).not.toContain(s)
    }
  })
})

describe('config', () => {
  it('the environment wins over the file, and UPSTOX_BASE_URL moves the order host too', () => {
    const home = mkdtempSync(join(tmpdir(), 'bahi-cfg-'))
    try {
      writeFileSync(join(home, 'upstox.json'), JSON.stringify({ clientId: 'file-id', timeoutMs: 2000 }))
      const r = loadUpstoxConfig(home, { UPSTOX_BASE_URL: 'http://127.0.0.1:9999/', UPSTOX_CLIENT_ID: 'env-id' })
      expect(r).toEqual(
        E.right({
          baseUrl: 'http://127.0.0.1:9999',
          orderBaseUrl: 'http://127.0.0.1:9999',
          timeoutMs: 2000,
          lookupDelayMs: 500,
          clientId: 'env-id',
        }),
      )
      expect(loadUpstoxConfig(join(home, 'none'), {})).toEqual(
        E.right({
          baseUrl: 'https://api.upstox.com',
          orderBaseUrl: 'https://api-hft.upstox.com',
          timeoutMs: 10_000,
          lookupDelayMs: 500,
        }),
      )
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })
})
