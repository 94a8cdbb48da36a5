import { addIstDays, istDateOf, istInstant } from '../../domain/time/index.js'

// Upstox access tokens expire at 03:30 IST on the day after they were issued, whatever the hour of issue. We track
// the expiry ourselves: the server's 401 does not say "expired".

/** 03:30 IST on the IST day after `issuedMs`. */
export const tokenExpiryMs = (issuedMs: number): number => {
  const next = addIstDays(istDateOf(issuedMs), 1)
  const at = next === undefined ? undefined : istInstant(next, '03:30')
  if (at === undefined) throw new Error(`cannot compute the token expiry for ${issuedMs}`)
  return at
}

/** How close to expiry counts as "expires soon" (worth a warning before a session starts). */
export const EXPIRES_SOON_MS = 2 * 60 * 60 * 1000

export type TokenFreshness = 'valid' | 'expiresSoon' | 'expired'

export const tokenFreshness = (nowMs: number, expiresAtMs: number, soonMs: number = EXPIRES_SOON_MS): TokenFreshness =>
  nowMs >= expiresAtMs ? 'expired' : expiresAtMs - nowMs <= soonMs ? 'expiresSoon' : 'valid'
