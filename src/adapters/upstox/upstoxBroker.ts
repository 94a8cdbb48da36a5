import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { BrokerError } from './brokerErrors.js'
import { createUpstoxOrders } from './idempotentOrders.js'
import { createRateLimiter, type RateLimits, UPSTOX_RATE_LIMITS } from './rateLimiter.js'
import { describeTokenStoreError, loadToken } from './tokenStore.js'
import type { UpstoxConfig } from './upstoxConfig.js'
import { createUpstoxRest, type TokenSource, upstoxLogger } from './upstoxRest.js'

// The adapter assembled: one rate limiter shared by every call, the REST client on it, and the idempotent order API
// on that. The composition root supplies the clock, the sleep and the token source (normally the token store).

export interface UpstoxBrokerDeps {
  readonly config: UpstoxConfig
  readonly log: Logger
  readonly nowMs: () => number
  readonly sleep: (ms: number) => Promise<void>
  readonly token: TokenSource
  readonly rateLimits?: RateLimits
}

export const createUpstoxBroker = (d: UpstoxBrokerDeps) => {
  const log = upstoxLogger(d.log)
  const limiter = createRateLimiter({ nowMs: d.nowMs, sleep: d.sleep }, d.rateLimits ?? UPSTOX_RATE_LIMITS)
  const rest = createUpstoxRest({ config: d.config, limiter, nowMs: d.nowMs, token: d.token, log: d.log })
  const orders = createUpstoxOrders({ rest, log, sleep: d.sleep, lookupDelayMs: d.config.lookupDelayMs })
  return { rest, limiter, orders }
}

export type UpstoxBroker = ReturnType<typeof createUpstoxBroker>

/** A token source for a token already in hand (tests, the sandbox). */
export const fixedToken =
  (accessToken: string, expiresAtMs: number): TokenSource =>
  () =>
    E.right({ accessToken, expiresAtMs })

/** For calls that need no token (login, candles): any call that does need one fails with `TokenMissing`. */
export const noToken: TokenSource = () => E.left<BrokerError>({ _tag: 'TokenMissing' })

/** The token from the store under `home`, read on every call (a new `bahi login` is picked up without a restart). */
export const storedToken =
  (home: string, env: Readonly<Record<string, string | undefined>>, nowMs: () => number): TokenSource =>
  () => {
    const t = loadToken(home, nowMs(), env)
    if (E.isRight(t)) return E.right({ accessToken: t.right.accessToken, expiresAtMs: t.right.expiresAtMs })
    const e = t.left
    switch (e._tag) {
      case 'TokenMissing':
        return E.left({ _tag: 'TokenMissing' })
      case 'TokenExpired':
        return E.left({ _tag: 'TokenExpired', expiredAtMs: e.expiredAtMs })
      default:
        return E.left({ _tag: 'TokenUnusable', reason: describeTokenStoreError(e) })
    }
  }
