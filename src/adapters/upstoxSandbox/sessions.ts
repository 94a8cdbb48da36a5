import { randomBytes } from 'node:crypto'
import { addIstDays, formatIst, istDateOf, istInstant } from '../../domain/time/index.js'
import type { SandboxUser } from './demoUser.js'

// Authorization codes (single use), access tokens (expire at 03:30 IST on the day after they were issued) and the
// single-use codes inside the authorized WebSocket URLs. Time comes from the caller's clock.

export interface AccessSession {
  readonly token: string
  readonly user: SandboxUser
  readonly issuedMs: number
  expiresMs: number
}

export type TokenCheck =
  | { readonly _tag: 'Valid'; readonly session: AccessSession }
  | { readonly _tag: 'Unknown' }
  | { readonly _tag: 'Expired'; readonly expiredAt: string }

export type WsKind = 'market' | 'portfolio'

export interface WsGrant {
  readonly kind: WsKind
  readonly session: AccessSession
  readonly updateTypes: readonly string[]
}

/** 03:30 IST on the IST day after `issuedMs`. */
export const tokenExpiryMs = (issuedMs: number): number => {
  const next = addIstDays(istDateOf(issuedMs), 1)
  return (next === undefined ? undefined : istInstant(next, '03:30')) ?? issuedMs + 86_400_000
}

const randomToken = (bytes: number) => randomBytes(bytes).toString('base64url')

export const createSessions = (users: readonly SandboxUser[]) => {
  const authCodes = new Map<string, SandboxUser>()
  const tokens = new Map<string, AccessSession>()
  const wsGrants = new Map<string, WsGrant>()

  const issueAuthCode = (user: SandboxUser): string => {
    const code = randomToken(6)
    authCodes.set(code, user)
    return code
  }
  /** Consumes the code: a second exchange with the same code fails. */
  const redeemAuthCode = (code: string): SandboxUser | undefined => {
    const user = authCodes.get(code)
    authCodes.delete(code)
    return user
  }
  const issueToken = (user: SandboxUser, nowMs: number): AccessSession => {
    const session: AccessSession = {
      token: `sbx.${randomToken(32)}`,
      user,
      issuedMs: nowMs,
      expiresMs: tokenExpiryMs(nowMs),
    }
    tokens.set(session.token, session)
    return session
  }
  const check = (token: string | undefined, nowMs: number): TokenCheck => {
    const s = token === undefined ? undefined : tokens.get(token)
    if (s === undefined) return { _tag: 'Unknown' }
    if (nowMs >= s.expiresMs) return { _tag: 'Expired', expiredAt: formatIst(s.expiresMs) }
    return { _tag: 'Valid', session: s }
  }
  const revoke = (token: string): boolean => tokens.delete(token)
  /** Fault injection: every token issued so far expires now. */
  const expireAll = (nowMs: number): number => {
    for (const s of tokens.values()) s.expiresMs = Math.min(s.expiresMs, nowMs)
    return tokens.size
  }
  const grantWs = (kind: WsKind, session: AccessSession, updateTypes: readonly string[] = []): string => {
    const code = randomToken(18)
    wsGrants.set(code, { kind, session, updateTypes })
    return code
  }
  /** Single use: the code is gone after the first upgrade that presents it. */
  const redeemWs = (code: string, kind: WsKind): WsGrant | undefined => {
    const g = wsGrants.get(code)
    if (g === undefined || g.kind !== kind) return undefined
    wsGrants.delete(code)
    return g
  }
  const userByClientId = (clientId: string): SandboxUser | undefined => users.find((u) => u.clientId === clientId)
  return { issueAuthCode, redeemAuthCode, issueToken, check, revoke, expireAll, grantWs, redeemWs, userByClientId }
}

export type Sessions = ReturnType<typeof createSessions>
