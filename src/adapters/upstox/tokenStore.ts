import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { tokenExpiryMs, tokenFreshness } from './tokenExpiry.js'

// The access token at rest: AES-256-GCM in `<home>/upstox/token.json` (mode 0600, directory 0700). The key is
// derived with scrypt from the passphrase in `BAHI_TOKEN_KEY` (salt stored in the file), or, without it, is a random
// 32-byte key in `<home>/upstox/token.key` (mode 0600) beside the token. The issue and expiry times are stored in the
// clear but bound to the ciphertext as additional data, so they cannot be edited to extend a token.
//
// Threat model: the key file protects a copied token file, a backup without the key file, or a token file read
// by another user if its mode were ever loosened; it does not protect against anyone who can read the whole
// directory as this user. A passphrase in the environment also covers that case, at the cost of supplying it to
// every process.

export interface StoredToken {
  readonly accessToken: string
  readonly userId: string
  readonly issuedAtMs: number
  readonly expiresAtMs: number
}

export type LoadedToken = StoredToken & { readonly freshness: 'valid' | 'expiresSoon' }

export type TokenStoreError =
  | { readonly _tag: 'TokenMissing' }
  | { readonly _tag: 'TokenExpired'; readonly expiredAtMs: number }
  | { readonly _tag: 'TokenUnreadable'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'TokenUndecryptable'; readonly path: string; readonly keySource: KeySource }
  | { readonly _tag: 'TokenWriteFailed'; readonly path: string; readonly reason: string }

export type KeySource = 'passphrase' | 'keyFile'

export const describeTokenStoreError = (e: TokenStoreError): string => {
  switch (e._tag) {
    case 'TokenMissing':
      return 'no Upstox access token is stored: run bahi login'
    case 'TokenExpired':
      return `the stored Upstox access token expired at ${new Date(e.expiredAtMs).toISOString()}: run bahi login`
    case 'TokenUnreadable':
      return `cannot read the stored token ${e.path}: ${e.reason}`
    case 'TokenUndecryptable':
      return e.keySource === 'passphrase'
        ? `cannot decrypt ${e.path} with BAHI_TOKEN_KEY (wrong passphrase, or the file was altered): run bahi login`
        : `cannot decrypt ${e.path} with its key file (key replaced, or the file was altered): run bahi login`
    case 'TokenWriteFailed':
      return `cannot write the token ${e.path}: ${e.reason}`
    default: {
      const never: never = e
      return never
    }
  }
}

const TokenFile = t.type({
  version: t.literal(1),
  keySource: t.keyof({ passphrase: null, keyFile: null }),
  salt: t.string,
  iv: t.string,
  authTag: t.string,
  ciphertext: t.string,
  userId: t.string,
  issuedAtMs: t.number,
  expiresAtMs: t.number,
})
type TokenFile = t.TypeOf<typeof TokenFile>

export const tokenDir = (home: string): string => join(home, 'upstox')
export const tokenPath = (home: string): string => join(tokenDir(home), 'token.json')
export const tokenKeyPath = (home: string): string => join(tokenDir(home), 'token.key')

const errCode = (e: unknown): string =>
  typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : e instanceof Error ? e.message : String(e)

const writePrivate = (path: string, data: string | Buffer): void => {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, data, { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, path)
}

const KEY_BYTES = 32

/** The key for a token file: from the passphrase, or the key file (created when `create`). */
const keyFor = (
  home: string,
  source: KeySource,
  salt: Buffer,
  passphrase: string | undefined,
  create: boolean,
): E.Either<string, Buffer> => {
  if (source === 'passphrase') {
    if (passphrase === undefined) return E.left('the token was stored with BAHI_TOKEN_KEY, which is not set')
    return E.right(scryptSync(passphrase, salt, KEY_BYTES))
  }
  const path = tokenKeyPath(home)
  try {
    const key = readFileSync(path)
    if (key.length === KEY_BYTES) return E.right(key)
    if (!create) return E.left(`${path} is not a ${KEY_BYTES}-byte key`)
  } catch (e) {
    if (!create || errCode(e) !== 'ENOENT') return E.left(`cannot read ${path}: ${errCode(e)}`)
  }
  const key = randomBytes(KEY_BYTES)
  writePrivate(path, key)
  return E.right(key)
}

const aad = (f: { userId: string; issuedAtMs: number; expiresAtMs: number }) =>
  Buffer.from(`bahi-token-v1|${f.userId}|${f.issuedAtMs}|${f.expiresAtMs}`)

/** Encrypts and stores a token issued at `issuedAtMs`; its expiry is 03:30 IST the next day. */
export const saveToken = (
  home: string,
  token: { readonly accessToken: string; readonly userId: string; readonly issuedAtMs: number },
  env: Readonly<Record<string, string | undefined>>,
): E.Either<TokenStoreError, StoredToken> => {
  const path = tokenPath(home)
  try {
    mkdirSync(tokenDir(home), { recursive: true, mode: 0o700 })
    chmodSync(tokenDir(home), 0o700)
    const passphrase = env.BAHI_TOKEN_KEY
    const keySource: KeySource = passphrase === undefined || passphrase.length === 0 ? 'keyFile' : 'passphrase'
    const salt = randomBytes(16)
    const key = keyFor(home, keySource, salt, passphrase, true)
    if (E.isLeft(key)) return E.left({ _tag: 'TokenWriteFailed', path, reason: key.left })
    const stored: StoredToken = { ...token, expiresAtMs: tokenExpiryMs(token.issuedAtMs) }
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', key.right, iv)
    cipher.setAAD(aad(stored))
    const ciphertext = Buffer.concat([cipher.update(token.accessToken, 'utf8'), cipher.final()])
    const file: TokenFile = {
      version: 1,
      keySource,
      salt: salt.toString('base64'),
      iv: iv.toString('base64'),
      authTag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      userId: stored.userId,
      issuedAtMs: stored.issuedAtMs,
      expiresAtMs: stored.expiresAtMs,
    }
    writePrivate(path, `${JSON.stringify(file)}\n`)
    return E.right(stored)
  } catch (e) {
    return E.left({ _tag: 'TokenWriteFailed', path, reason: errCode(e) })
  }
}

/** The stored token's metadata (no decryption): for `bahi login --status`. */
export const tokenStatus = (
  home: string,
): E.Either<TokenStoreError, { userId: string; issuedAtMs: number; expiresAtMs: number; keySource: KeySource }> => {
  const f = readTokenFile(home)
  return E.map((x: TokenFile) => ({
    userId: x.userId,
    issuedAtMs: x.issuedAtMs,
    expiresAtMs: x.expiresAtMs,
    keySource: x.keySource,
  }))(f)
}

const readTokenFile = (home: string): E.Either<TokenStoreError, TokenFile> => {
  const path = tokenPath(home)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    return errCode(e) === 'ENOENT'
      ? E.left({ _tag: 'TokenMissing' })
      : E.left({ _tag: 'TokenUnreadable', path, reason: errCode(e) })
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return E.left({ _tag: 'TokenUnreadable', path, reason: 'not JSON' })
  }
  const f = TokenFile.decode(doc)
  return E.isLeft(f) ? E.left({ _tag: 'TokenUnreadable', path, reason: 'not a bahi token file' }) : f
}

/**
 * The stored token, decrypted, if it has not expired by `nowMs`. An expired token is `TokenExpired` without any
 * request being made; one within `EXPIRES_SOON_MS` of expiry comes back with `freshness: 'expiresSoon'`.
 */
export const loadToken = (
  home: string,
  nowMs: number,
  env: Readonly<Record<string, string | undefined>>,
): E.Either<TokenStoreError, LoadedToken> => {
  const path = tokenPath(home)
  const read = readTokenFile(home)
  if (E.isLeft(read)) return read
  const f = read.right
  const freshness = tokenFreshness(nowMs, f.expiresAtMs)
  if (freshness === 'expired') return E.left({ _tag: 'TokenExpired', expiredAtMs: f.expiresAtMs })
  const key = keyFor(home, f.keySource, Buffer.from(f.salt, 'base64'), env.BAHI_TOKEN_KEY, false)
  if (E.isLeft(key)) return E.left({ _tag: 'TokenUndecryptable', path, keySource: f.keySource })
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.right, Buffer.from(f.iv, 'base64'))
    decipher.setAAD(aad(f))
    decipher.setAuthTag(Buffer.from(f.authTag, 'base64'))
    const accessToken = Buffer.concat([
      decipher.update(Buffer.from(f.ciphertext, 'base64')),
      decipher.final(),
    ]).toString('utf8')
    return E.right({ accessToken, userId: f.userId, issuedAtMs: f.issuedAtMs, expiresAtMs: f.expiresAtMs, freshness })
  } catch {
    return E.left({ _tag: 'TokenUndecryptable', path, keySource: f.keySource })
  }
}
