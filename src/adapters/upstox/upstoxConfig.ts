import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

// Where the adapter talks to and as whom: `<home>/upstox.json` when present, then the environment on top
// (`UPSTOX_BASE_URL`, `UPSTOX_ORDER_BASE_URL`, `UPSTOX_CLIENT_ID`, `UPSTOX_CLIENT_SECRET`, `UPSTOX_REDIRECT_URI`);
// the environment wins. `UPSTOX_BASE_URL` alone points every call (orders included) at one server, e.g. the sandbox.

const HttpUrl = t.refinement(t.string, (s) => /^https?:\/\/[^\s/]+(?::\d+)?(?:\/[^\s]*)?$/.test(s), 'HttpUrl')
const PositiveMs = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'PositiveMs')
const NonNegativeMs = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'NonNegativeMs')

export const UpstoxConfig = t.intersection([
  t.type({
    baseUrl: HttpUrl,
    /** Place, modify and cancel (`https://api-hft.upstox.com` on Upstox). */
    orderBaseUrl: HttpUrl,
    /** Deadline of one REST call. */
    timeoutMs: PositiveMs,
    /** After an ambiguous failure to place, how long to wait before looking the order up by tag. */
    lookupDelayMs: NonNegativeMs,
  }),
  t.partial({
    /** The app's API key (`client_id`). */
    clientId: t.string,
    clientSecret: t.string,
    redirectUri: HttpUrl,
  }),
])
export type UpstoxConfig = t.TypeOf<typeof UpstoxConfig>

const FileConfig = t.exact(
  t.partial({
    baseUrl: t.unknown,
    orderBaseUrl: t.unknown,
    timeoutMs: t.unknown,
    lookupDelayMs: t.unknown,
    clientId: t.unknown,
    clientSecret: t.unknown,
    redirectUri: t.unknown,
  }),
)

export const UPSTOX_DEFAULTS = {
  baseUrl: 'https://api.upstox.com',
  orderBaseUrl: 'https://api-hft.upstox.com',
  timeoutMs: 10_000,
  lookupDelayMs: 500,
} as const

export type UpstoxConfigError =
  | { readonly _tag: 'UpstoxConfigUnreadable'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'UpstoxConfigInvalid'; readonly source: string; readonly problems: readonly string[] }

export const describeUpstoxConfigError = (e: UpstoxConfigError): string => {
  switch (e._tag) {
    case 'UpstoxConfigUnreadable':
      return `cannot read ${e.path}: ${e.reason}`
    case 'UpstoxConfigInvalid':
      return `invalid Upstox config (${e.source}): ${e.problems.join('; ')}`
    default: {
      const never: never = e
      return never
    }
  }
}

export const upstoxConfigPath = (home: string): string => join(home, 'upstox.json')

// Names only, never values: a bad clientSecret must not end up in an error message.
const problemsOf = (errs: t.Errors): string[] => [
  ...new Set(
    errs.map((e) => {
      const key = e.context
        .map((c) => c.key)
        .filter((k) => k.length > 0 && !/^\d+$/.test(k))
        .join('.')
      const expected = e.context.at(-1)?.type.name ?? 'a valid value'
      return `${key || 'config'}: expected ${expected}`
    }),
  ),
]

const numberFromEnv = (s: string | undefined): number | string | undefined =>
  s === undefined ? undefined : /^\d+$/.test(s) ? Number(s) : s

/** The config for `home` and `env`: file values, overridden by the environment, over the defaults. */
export const loadUpstoxConfig = (
  home: string,
  env: Readonly<Record<string, string | undefined>>,
): E.Either<UpstoxConfigError, UpstoxConfig> => {
  const path = upstoxConfigPath(home)
  let fromFile: Record<string, unknown> = {}
  let text: string | undefined
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : ''
    if (code !== 'ENOENT') return E.left({ _tag: 'UpstoxConfigUnreadable', path, reason: code || 'unreadable' })
  }
  if (text !== undefined) {
    let doc: unknown
    try {
      doc = JSON.parse(text)
    } catch {
      return E.left({ _tag: 'UpstoxConfigInvalid', source: path, problems: ['not valid JSON'] })
    }
    const file = FileConfig.decode(doc)
    if (E.isLeft(file) || typeof doc !== 'object' || doc === null || Array.isArray(doc))
      return E.left({ _tag: 'UpstoxConfigInvalid', source: path, problems: ['expected a JSON object'] })
    fromFile = file.right
  }
  const envBase = env.UPSTOX_BASE_URL
  const merged: Record<string, unknown> = { ...UPSTOX_DEFAULTS, ...fromFile }
  // One base URL from the environment moves both hosts unless the order host is given too.
  if (envBase !== undefined) {
    merged.baseUrl = envBase
    merged.orderBaseUrl = envBase
  }
  const overrides: Record<string, unknown> = {
    orderBaseUrl: env.UPSTOX_ORDER_BASE_URL,
    clientId: env.UPSTOX_CLIENT_ID,
    clientSecret: env.UPSTOX_CLIENT_SECRET,
    redirectUri: env.UPSTOX_REDIRECT_URI,
    timeoutMs: numberFromEnv(env.UPSTOX_TIMEOUT_MS),
  }
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = v
  for (const k of ['baseUrl', 'orderBaseUrl']) {
    const v = merged[k]
    if (typeof v === 'string') merged[k] = v.replace(/\/+$/, '')
  }
  return E.mapLeft(
    (errs: t.Errors): UpstoxConfigError => ({
      _tag: 'UpstoxConfigInvalid',
      source: text === undefined ? 'environment' : `${path} and environment`,
      problems: problemsOf(errs),
    }),
  )(UpstoxConfig.decode(merged))
}
