import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { sandboxCommand } from '../../src/processes/cli/commands/sandboxCommand.js'

// `bahi sandbox --json` prints one JSON line with what a client needs, and the printed token works at once.

describe('bahi sandbox command', () => {
  it('prints baseUrl, client credentials, an auth code and a ready token as one JSON line, then serves', async () => {
    const out: string[] = []
    const err: string[] = []
    let stop: () => void = () => {}
    const until = new Promise<void>((r) => {
      stop = r
    })
    const logLines: string[] = []
    const log = pino({ level: 'debug' }, { write: (s: string) => logLines.push(s) })
    const running = sandboxCommand(
      { port: 0, speed: 0, json: true, until },
      { out: (l) => out.push(l), err: (l) => err.push(l) },
      log,
    )
    for (let i = 0; i < 100 && out.length === 0; i++) await new Promise((r) => setTimeout(r, 50))
    expect(out).toHaveLength(1)
    const info = JSON.parse(out[0]!)
    expect(Object.keys(info)).toEqual(
      expect.arrayContaining(['baseUrl', 'clientId', 'clientSecret', 'redirectUri', 'authCode', 'accessToken']),
    )
    expect(info.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const profile = await fetch(`${info.baseUrl}/v2/user/profile`, {
      headers: { authorization: `Bearer ${info.accessToken}` },
    })
    expect(profile.status).toBe(200)
    const token = await fetch(`${info.baseUrl}/v2/login/authorization/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        code: info.authCode,
        client_id: info.clientId,
        client_secret: info.clientSecret,
        redirect_uri: info.redirectUri,
        grant_type: 'authorization_code',
      }).toString(),
    })
    expect(token.status).toBe(200)
    stop()
    expect(await running).toBe(0)
    expect(err).toEqual([])
    const logs = logLines.join('\n')
    expect(logs).not.toContain(info.accessToken)
    expect(logs).not.toContain(info.clientSecret)
  })

  it('refuses a bad port', async () => {
    const err: string[] = []
    const code = await sandboxCommand(
      { port: 70_000, json: false },
      { out: () => {}, err: (l) => err.push(l) },
      pino({ level: 'silent' }),
    )
    expect(code).toBe(2)
    expect(err[0]).toContain('--port')
  })
})
