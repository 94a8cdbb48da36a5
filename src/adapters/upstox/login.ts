import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { BrokerError } from './brokerErrors.js'
import type { UpstoxConfig } from './upstoxConfig.js'
import type { UpstoxRest } from './upstoxRest.js'

// The OAuth login: the user opens the authorization dialog URL, logs in, and Upstox redirects to `redirect_uri` with
// `?code=`; the code (single use) is exchanged for an access token with the app's client id and secret.

export type LoginConfig = Required<Pick<UpstoxConfig, 'baseUrl' | 'clientId' | 'clientSecret' | 'redirectUri'>>

/** The config with the login fields present, or the names of those missing (never their values). */
export const loginConfigOf = (c: UpstoxConfig): E.Either<readonly string[], LoginConfig> => {
  const missing = [
    ...(c.clientId === undefined ? ['clientId (UPSTOX_CLIENT_ID)'] : []),
    ...(c.clientSecret === undefined ? ['clientSecret (UPSTOX_CLIENT_SECRET)'] : []),
    ...(c.redirectUri === undefined ? ['redirectUri (UPSTOX_REDIRECT_URI)'] : []),
  ]
  if (c.clientId === undefined || c.clientSecret === undefined || c.redirectUri === undefined) return E.left(missing)
  return E.right({ baseUrl: c.baseUrl, clientId: c.clientId, clientSecret: c.clientSecret, redirectUri: c.redirectUri })
}

/** The authorization dialog URL to open in a browser. */
export const authorizationUrl = (
  c: Pick<LoginConfig, 'baseUrl' | 'clientId' | 'redirectUri'>,
  state?: string,
): string => {
  const q = new URLSearchParams({ response_type: 'code', client_id: c.clientId, redirect_uri: c.redirectUri })
  if (state !== undefined) q.set('state', state)
  return `${c.baseUrl}/v2/login/authorization/dialog?${q.toString()}`
}

export interface IssuedToken {
  readonly accessToken: string
  readonly userId: string
  readonly issuedAtMs: number
}

/** Exchanges an authorization code for an access token. */
export const exchangeAuthCode =
  (rest: UpstoxRest, c: LoginConfig, code: string, nowMs: () => number): TE.TaskEither<BrokerError, IssuedToken> =>
  async () => {
    const r = await rest.exchangeCode({
      code,
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uri: c.redirectUri,
    })()
    return E.map((t: { access_token: string; user_id: string }) => ({
      accessToken: t.access_token,
      userId: t.user_id,
      issuedAtMs: nowMs(),
    }))(r)
  }
