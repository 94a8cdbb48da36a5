import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import {
  authorizationUrl,
  createUpstoxBroker,
  describeBrokerError,
  describeTokenStoreError,
  describeUpstoxConfigError,
  exchangeAuthCode,
  loadUpstoxConfig,
  loginConfigOf,
  noToken,
  saveToken,
  tokenFreshness,
  tokenStatus,
} from '../../../adapters/upstox/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'

// `bahi login`: prints the Upstox authorization URL to open in a browser; `bahi login --code C` exchanges the code
// from the redirect for an access token and stores it encrypted under `<home>/upstox/`; `bahi login --status` says
// whether a token is stored and when it expires (03:30 IST the day after issue). The token itself is never printed.

export interface LoginOptions {
  readonly home: string
  readonly json: boolean
  readonly code?: string
  readonly status: boolean
  readonly state?: string
}

const iso = (ms: number) => new Date(ms).toISOString()

export const loginCommand = async (
  o: LoginOptions,
  io: CliIo,
  log: Logger,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ExitCode> => {
  const nowMs = () => Date.now()
  if (o.status) {
    const s = tokenStatus(o.home)
    if (E.isLeft(s)) {
      if (s.left._tag !== 'TokenMissing') {
        io.err(`bahi login: ${describeTokenStoreError(s.left)}`)
        return 2
      }
      printResult(io, o.json, { stored: false }, ['no Upstox token stored: run bahi login'])
      return 1
    }
    const freshness = tokenFreshness(nowMs(), s.right.expiresAtMs)
    const info = {
      stored: true,
      userId: s.right.userId,
      issuedAt: iso(s.right.issuedAtMs),
      expiresAt: iso(s.right.expiresAtMs),
      freshness,
      keySource: s.right.keySource,
    }
    printResult(io, o.json, info, [
      `Upstox token for ${info.userId}: ${freshness === 'valid' ? 'valid' : freshness === 'expiresSoon' ? 'expires soon' : 'EXPIRED'}`,
      `  issued   ${info.issuedAt}`,
      `  expires  ${info.expiresAt} (03:30 IST)`,
      `  key      ${info.keySource === 'passphrase' ? 'BAHI_TOKEN_KEY passphrase' : 'key file beside the token'}`,
    ])
    return freshness === 'expired' ? 1 : 0
  }
  const config = loadUpstoxConfig(o.home, env)
  if (E.isLeft(config)) {
    io.err(`bahi login: ${describeUpstoxConfigError(config.left)}`)
    return 2
  }
  const c = config.right
  if (o.code === undefined) {
    if (c.clientId === undefined || c.redirectUri === undefined) {
      io.err('bahi login: set UPSTOX_CLIENT_ID and UPSTOX_REDIRECT_URI (or clientId, redirectUri in upstox.json)')
      return 2
    }
    const url = authorizationUrl({ baseUrl: c.baseUrl, clientId: c.clientId, redirectUri: c.redirectUri }, o.state)
    printResult(io, o.json, { authorizationUrl: url }, [
      'Open this URL, log in, and pass the code from the redirect to: bahi login --code CODE',
      url,
    ])
    return 0
  }
  const login = loginConfigOf(c)
  if (E.isLeft(login)) {
    io.err(`bahi login: missing ${login.left.join(', ')}`)
    return 2
  }
  const broker = createUpstoxBroker({
    config: c,
    log,
    nowMs,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    token: noToken,
  })
  const issued = await exchangeAuthCode(broker.rest, login.right, o.code, nowMs)()
  if (E.isLeft(issued)) {
    io.err(`bahi login: ${describeBrokerError(issued.left)}`)
    return 1
  }
  const saved = saveToken(o.home, issued.right, env)
  if (E.isLeft(saved)) {
    io.err(`bahi login: ${describeTokenStoreError(saved.left)}`)
    return 1
  }
  const info = { stored: true, userId: saved.right.userId, expiresAt: iso(saved.right.expiresAtMs) }
  printResult(io, o.json, info, [`logged in as ${info.userId}; the token expires at ${info.expiresAt} (03:30 IST)`])
  return 0
}
