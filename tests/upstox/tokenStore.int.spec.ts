import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  describeTokenStoreError,
  loadToken,
  saveToken,
  tokenExpiryMs,
  tokenKeyPath,
  tokenPath,
  tokenStatus,
} from '../../src/adapters/upstox/index.js'

// The token store on real files in a temp dir: encrypted at rest, private file modes, expiry at 03:30 IST the next
// day detected before any request, "expires soon" flagged, tampering and wrong keys refused.

const SECRET = 'sbx-access-token-0123456789abcdef'
/** 2026-01-05 10:00 IST. */
const ISSUED = Date.UTC(2026, 0, 5, 4, 30)
/** 2026-01-06 03:30 IST. */
const EXPIRY = Date.UTC(2026, 0, 5, 22, 0)

describe('token store', () => {
  let home: string
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'bahi-token-'))
  })
  afterEach(() => rmSync(home, { recursive: true, force: true }))

  it('computes the expiry as 03:30 IST on the next day, for any hour of issue', () => {
    expect(tokenExpiryMs(ISSUED)).toBe(EXPIRY)
    // Issued at 00:10 IST on the 6th: still expires at 03:30 on the 7th.
    expect(tokenExpiryMs(Date.UTC(2026, 0, 5, 18, 40))).toBe(EXPIRY + 86_400_000)
  })

  it('stores the token encrypted with a 0600 key file, and loads it back', () => {
    const saved = saveToken(home, { accessToken: SECRET, userId: 'SBX001', issuedAtMs: ISSUED }, {})
    expect(E.isRight(saved) && saved.right.expiresAtMs).toBe(EXPIRY)
    const text = readFileSync(tokenPath(home), 'utf8')
    expect(text).not.toContain(SECRET)
    expect(statSync(tokenPath(home)).mode & 0o777).toBe(0o600)
    expect(statSync(tokenKeyPath(home)).mode & 0o777).toBe(0o600)
    expect(statSync(join(home, 'upstox')).mode & 0o777).toBe(0o700)
    const loaded = loadToken(home, ISSUED + 60_000, {})
    expect(E.isRight(loaded) && loaded.right).toMatchObject({
      accessToken: SECRET,
      freshness: 'valid',
      userId: 'SBX001',
    })
  })

  it('reports TokenExpired once 03:30 IST has passed, and "expires soon" shortly before', () => {
    saveToken(home, { accessToken: SECRET, userId: 'SBX001', issuedAtMs: ISSUED }, {})
    const soon = loadToken(home, EXPIRY - 30 * 60_000, {})
    expect(E.isRight(soon) && soon.right.freshness).toBe('expiresSoon')
    const expired = loadToken(home, EXPIRY, {})
    expect(E.isLeft(expired) && expired.left).toEqual({ _tag: 'TokenExpired', expiredAtMs: EXPIRY })
    expect(E.isLeft(expired) && describeTokenStoreError(expired.left)).not.toContain(SECRET)
  })

  it('with BAHI_TOKEN_KEY derives the key from the passphrase and writes no key file', () => {
    const env = { BAHI_TOKEN_KEY: 'correct horse battery staple' }
    saveToken(home, { accessToken: SECRET, userId: 'SBX001', issuedAtMs: ISSUED }, env)
    expect(() => statSync(tokenKeyPath(home))).toThrow()
    expect(E.isRight(loadToken(home, ISSUED, env))).toBe(true)
    const wrong = loadToken(home, ISSUED, { BAHI_TOKEN_KEY: 'wrong' })
    expect(E.isLeft(wrong) && wrong.left._tag).toBe('TokenUndecryptable')
    const unset = loadToken(home, ISSUED, {})
    expect(E.isLeft(unset) && unset.left._tag).toBe('TokenUndecryptable')
  })

  it('refuses a file whose expiry was edited to extend the token', () => {
    saveToken(home, { accessToken: SECRET, userId: 'SBX001', issuedAtMs: ISSUED }, {})
    const doc = JSON.parse(readFileSync(tokenPath(home), 'utf8'))
    writeFileSync(tokenPath(home), JSON.stringify({ ...doc, expiresAtMs: EXPIRY + 86_400_000 }))
    const r = loadToken(home, EXPIRY + 1000, {})
    expect(E.isLeft(r) && r.left._tag).toBe('TokenUndecryptable')
  })

  it('reports a missing token and a status without decrypting', () => {
    expect(loadToken(home, ISSUED, {})).toEqual(E.left({ _tag: 'TokenMissing' }))
    saveToken(home, { accessToken: SECRET, userId: 'SBX001', issuedAtMs: ISSUED }, {})
    expect(tokenStatus(home)).toEqual(
      E.right({ userId: 'SBX001', issuedAtMs: ISSUED, expiresAtMs: EXPIRY, keySource: 'keyFile' }),
    )
  })
})
