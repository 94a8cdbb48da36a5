import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadToken, tokenExpiryMs } from '../../src/adapters/upstox/index.js'
import { bahi, parseJsonOut } from '../cli/cliHarness.js'
import { startUpstoxHarness, type UpstoxHarness } from './upstoxHarness.js'

// `bahi login` as a child process against the sandbox: the authorization URL, the browser step (following the
// dialog's redirect), the code exchange, the token stored encrypted, `--status`; and no secret (token, client
// secret, auth code) ever printed or logged, even at debug level.

describe('bahi login against the sandbox', () => {
  let h: UpstoxHarness
  let home: string
  let env: Record<string, string>
  beforeAll(async () => {
    h = await startUpstoxHarness()
    home = mkdtempSync(join(tmpdir(), 'bahi-login-'))
    env = {
      BAHI_HOME: home,
      BAHI_LOG_LEVEL: 'debug',
      UPSTOX_BASE_URL: h.sandbox.baseUrl,
      UPSTOX_CLIENT_ID: h.sandbox.user.clientId,
      UPSTOX_CLIENT_SECRET: h.sandbox.user.clientSecret,
      UPSTOX_REDIRECT_URI: h.sandbox.user.redirectUri,
    }
  })
  afterAll(async () => {
    await h.close()
    rmSync(home, { recursive: true, force: true })
  })

  it('logs in with the authorization code flow and stores the token', async () => {
    const url = parseJsonOut<{ authorizationUrl: string }>(await bahi(['login', '--json'], env)).authorizationUrl
    expect(url.startsWith(`${h.sandbox.baseUrl}/v2/login/authorization/dialog?`)).toBe(true)
    expect(new URL(url).searchParams.get('client_id')).toBe(h.sandbox.user.clientId)
    // The browser step: the dialog redirects to redirect_uri?code=...
    const dialog = await fetch(url, { redirect: 'manual' })
    expect(dialog.status).toBe(302)
    const code = new URL(dialog.headers.get('location') ?? '').searchParams.get('code') ?? ''
    expect(code.length).toBeGreaterThan(0)

    const before = Date.now()
    // `--code=` form: a code may start with '-' (the sandbox's are base64url), which `--code C` would read as an option.
    const run = await bahi(['login', `--code=${code}`, '--json'], env)
    expect(run.code).toBe(0)
    const out = parseJsonOut<{ stored: boolean; userId: string; expiresAt: string }>(run)
    expect(out).toMatchObject({ stored: true, userId: h.sandbox.user.userId })
    expect(Date.parse(out.expiresAt)).toBe(tokenExpiryMs(before))

    const token = loadToken(home, Date.now(), {})
    if (E.isLeft(token)) throw new Error(token.left._tag)
    const profile = await fetch(`${h.sandbox.baseUrl}/v2/user/profile`, {
      headers: { authorization: `Bearer ${token.right.accessToken}` },
    })
    expect(profile.status).toBe(200)
    // Debug logs were written (the check below has lines to look at) and hold no secret.
    expect(run.stderr).toContain('upstox call')
    for (const secret of [token.right.accessToken, code, h.sandbox.user.clientSecret]) {
      expect(run.stdout).not.toContain(secret)
      expect(run.stderr).not.toContain(secret)
    }

    const status = await bahi(['login', '--status', '--json'], env)
    expect(status.code).toBe(0)
    expect(parseJsonOut(status)).toMatchObject({ stored: true, freshness: 'valid', expiresAt: out.expiresAt })

    // A code is single use: the second exchange fails, with a message that names no secret.
    const again = await bahi(['login', `--code=${code}`], env)
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/bahi login: Upstox refused \/v2\/login\/authorization\/token \(401/)
    for (const secret of [code, h.sandbox.user.clientSecret]) expect(again.stderr).not.toContain(secret)
  }, 60_000)

  it('says clearly what is missing', async () => {
    const run = await bahi(['login'], { BAHI_HOME: home, UPSTOX_BASE_URL: h.sandbox.baseUrl })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('set UPSTOX_CLIENT_ID and UPSTOX_REDIRECT_URI')
    const bad = await bahi(['login'], {
      BAHI_HOME: home,
      UPSTOX_BASE_URL: 'not a url',
      UPSTOX_CLIENT_SECRET: 's3cr3t-value',
    })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('baseUrl: expected HttpUrl')
    expect(bad.stderr).not.toContain('s3cr3t-value')
  }, 60_000)
})
