import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { TradingCalendar } from '../../domain/calendar/index.js'
import { DEFAULT_SYNTHETIC_INSTRUMENTS, type SyntheticInstrument } from '../synthetic/index.js'
import { handleAdmin } from './adminApi.js'
import { DEMO_USER, type SandboxUser } from './demoUser.js'
import { createFaults, type HttpFault } from './faults.js'
import { type FeedProtoError, loadFeedResponseType } from './feedProto.js'
import { bearer, createFeedUpgrade, MARKET_FEED_PATH, PORTFOLIO_FEED_PATH } from './feedUpgrade.js'
import { instrumentMasterRow } from './instrumentMaster.js'
import { authorizationDialog, exchangeCode } from './loginApi.js'
import { createMarketFeed } from './marketFeed.js'
import { type BarDays, createMarketReplay, syntheticDays, TICK_SPACING_MS } from './marketReplay.js'
import { createOrderEngine } from './orderEngine.js'
import { createPortfolioFeed } from './portfolioFeed.js'
import { createRateLimiter, RATE_LIMITS } from './rateLimiter.js'
import { createRestRoutes, matchRoute, type RequestContext } from './restApi.js'
import { type ApiReply, ERR, errorBody, errorReply } from './restEnvelope.js'
import { type AccessSession, createSessions, type TokenCheck } from './sessions.js'

// The Upstox-compatible local exchange: one node:http server on loopback for REST, the login flow, the instrument
// master, the admin/fault endpoints and both WebSocket streams. Every request ends in an envelope: a handler that
// throws becomes a 500 `UDAPI100500`, never a crashed server. Tokens, codes and secrets are never logged (query
// strings are not logged at all, and the logger redacts the fields that could hold them).

export interface SandboxClock {
  /** Wall-clock epoch ms: token expiry and rate limits. Market time comes from the replay. */
  readonly nowMs: () => number
}

export interface UpstoxSandboxOptions {
  readonly calendar: TradingCalendar
  readonly log: Logger
  readonly clock: SandboxClock
  readonly host?: string
  /** 0 (the default) picks a free port. */
  readonly port?: number
  readonly instruments?: readonly SyntheticInstrument[]
  /** First IST date of the synthetic market; the replay day follows `historyDays` sessions of history. */
  readonly from?: string
  readonly historyDays?: number
  readonly seed?: number
  /** Replaces the synthetic market (`from`, `seed`): session batches of 1-minute bars of `instruments`. */
  readonly days?: BarDays
  /** Replay speed (1 = real time, 60 = a minute per second). Without it the market moves only by `step()`. */
  readonly speed?: number
  /** Share of a tick's volume one order may take. */
  readonly participation?: number
  readonly heartbeatMs?: number
  readonly users?: readonly SandboxUser[]
  readonly rateLimits?: typeof RATE_LIMITS
}

export type SandboxStartError = FeedProtoError | { readonly _tag: 'SandboxListenFailed'; readonly reason: string }

export const describeSandboxStartError = (e: SandboxStartError): string =>
  e._tag === 'FeedProtoUnloadable' ? `cannot load the feed proto ${e.path}: ${e.reason}` : `cannot listen: ${e.reason}`

const MAX_BODY_BYTES = 1 << 20
const INSTRUMENT_FILES = new Set(['complete', 'NSE'])

/** Fields that could carry a secret in anything the sandbox logs. */
export const SANDBOX_REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'token',
  'accessToken',
  'access_token',
  'code',
  'clientSecret',
  'client_secret',
  'url',
]

/** The sandbox's logger: a child of the caller's, with every field that could hold a secret redacted. */
export const sandboxLogger = (log: Logger): Logger =>
  log.child({ component: 'upstox-sandbox' }, { redact: { paths: SANDBOX_REDACT_PATHS, censor: '[redacted]' } })

type BodyResult = { readonly _tag: 'Body'; readonly raw: string } | { readonly _tag: 'TooLarge' }

const readBody = (req: IncomingMessage): Promise<BodyResult> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY_BYTES && !done) {
        done = true
        resolve({ _tag: 'TooLarge' })
      }
      if (!done) chunks.push(c)
    })
    req.on('end', () => {
      if (!done) resolve({ _tag: 'Body', raw: Buffer.concat(chunks).toString('utf8') })
      done = true
    })
    req.on('error', () => {
      if (!done) resolve({ _tag: 'Body', raw: '' })
      done = true
    })
  })

const send = (res: ServerResponse, reply: ApiReply): void => {
  if (res.headersSent || res.destroyed) return
  if (reply.httpStatus === 302 || reply.body === null) {
    res.writeHead(reply.httpStatus, { ...reply.headers, 'content-length': '0' })
    res.end()
    return
  }
  const text = JSON.stringify(reply.body)
  res.writeHead(reply.httpStatus, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...reply.headers,
  })
  res.end(text)
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref())

export const startUpstoxSandbox = async (
  o: UpstoxSandboxOptions,
): Promise<E.Either<SandboxStartError, UpstoxSandbox>> => {
  const feedType = await loadFeedResponseType()
  if (E.isLeft(feedType)) return feedType
  const log = sandboxLogger(o.log)
  const users = o.users ?? [DEMO_USER]
  const user = users[0] ?? DEMO_USER
  const instruments = o.instruments ?? DEFAULT_SYNTHETIC_INSTRUMENTS
  const market = createMarketReplay({
    instruments,
    historyDays: o.historyDays ?? 5,
    days:
      o.days ?? syntheticDays({ calendar: o.calendar, instruments, from: o.from ?? '2025-01-01', seed: o.seed ?? 42 }),
  })
  const orders = createOrderEngine({ market, users, participation: o.participation ?? 0.5 })
  const sessions = createSessions(users)
  const faults = createFaults()
  const limiter = createRateLimiter(o.rateLimits ?? RATE_LIMITS)
  const heartbeatMs = o.heartbeatMs ?? 10_000
  const marketFeed = createMarketFeed({
    market,
    feedType: feedType.right,
    faults,
    log: log.child({ stream: 'market' }),
    heartbeatMs,
    nowMs: () => market.nowMs(),
  })
  const portfolioFeed = createPortfolioFeed({ orders, faults, log: log.child({ stream: 'portfolio' }), heartbeatMs })
  let baseUrl = ''
  const wsUrl = (kind: 'market' | 'portfolio', code: string) =>
    `${baseUrl.replace(/^http/, 'ws')}${kind === 'market' ? MARKET_FEED_PATH : PORTFOLIO_FEED_PATH}?requestId=${code.slice(0, 8)}&code=${code}`
  const routes = createRestRoutes({ market, orders, sessions, wsUrl })
  const instrumentMaster = JSON.stringify(instruments.map(instrumentMasterRow))
  const instrumentMasterGz = gzipSync(instrumentMaster)

  /** Fault: every token expires now, and the sockets they opened close. */
  const expireTokens = (): number => {
    const n = sessions.expireAll(o.clock.nowMs())
    marketFeed.closeExpired()
    portfolioFeed.closeExpired()
    return n
  }

  /** Faults that strike after the request was handled (`after: true`): the response is delayed or dropped. */
  const afterFaults = new WeakMap<IncomingMessage, HttpFault>()

  const authError = (c: TokenCheck): ApiReply | undefined =>
    c._tag === 'Valid'
      ? undefined
      : errorReply(c._tag === 'Expired' ? ERR.expiredToken(c.expiredAt) : ERR.invalidToken())

  const route = async (req: IncomingMessage, res: ServerResponse, startedMs: number): Promise<ApiReply | 'handled'> => {
    const method = req.method ?? 'GET'
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid')
    let segments: string[]
    try {
      segments = url.pathname
        .split('/')
        .filter((s) => s.length > 0)
        .map(decodeURIComponent)
    } catch {
      return errorReply(ERR.notSupported())
    }
    const body = await readBody(req)
    if (body._tag === 'TooLarge') return errorReply(ERR.invalidInput(null, null, 'Request body too large'))
    const contentType = req.headers['content-type'] ?? ''
    let parsed: unknown
    if (body.raw.length > 0 && /json/i.test(contentType)) {
      try {
        parsed = JSON.parse(body.raw)
      } catch {
        return errorReply(ERR.invalidInput(null, null, 'Request body is not valid JSON'))
      }
    }

    if (segments[0] === '_sandbox')
      return handleAdmin(
        {
          market,
          faults,
          closeFeeds: (code) => marketFeed.closeAll(code) + portfolioFeed.closeAll(code),
          expireTokens,
          openSockets: () => ({ market: marketFeed.count(), portfolio: portfolioFeed.count() }),
        },
        method,
        segments,
        parsed,
      )
    if (method === 'GET' && segments.length === 4 && url.pathname.startsWith('/market-quote/instruments/exchange/')) {
      const m = /^(\w+)\.json(\.gz)?$/.exec(segments[3] ?? '')
      if (m !== null && INSTRUMENT_FILES.has(m[1] ?? '')) {
        const gz = m[2] !== undefined
        const payload = gz ? instrumentMasterGz : Buffer.from(instrumentMaster)
        res.writeHead(200, {
          'content-type': gz ? 'application/gzip' : 'application/json',
          'content-length': String(payload.length),
        })
        res.end(payload)
        return 'handled'
      }
    }

    const fault = faults.takeHttp(url.pathname)
    if (fault !== undefined && fault.kind !== 'status' && fault.after === true) afterFaults.set(req, fault)
    else if (fault !== undefined) {
      if (fault.kind === 'drop') {
        req.socket.destroy()
        return 'handled'
      }
      if (fault.kind === 'status')
        return errorReply(fault.status === 429 ? ERR.tooManyRequests() : ERR.serviceUnavailable(fault.status))
      await sleep(fault.ms)
    }

    if (url.pathname === '/v2/login/authorization/dialog' && method === 'GET')
      return authorizationDialog(sessions, url.searchParams)
    if (url.pathname === '/v2/login/authorization/token' && method === 'POST') {
      const form = /json/i.test(contentType)
        ? new URLSearchParams(
            Object.entries(typeof parsed === 'object' && parsed !== null ? parsed : {}).map(
              ([k, v]): [string, string] => [k, String(v)],
            ),
          )
        : new URLSearchParams(body.raw)
      return exchangeCode(sessions, form, o.clock.nowMs())
    }

    let found: { r: (typeof routes)[number]; params: Record<string, string> } | undefined
    for (const r of routes) {
      const params = matchRoute(r, method, segments)
      if (params !== undefined) {
        found = { r, params }
        break
      }
    }
    if (found === undefined) return errorReply(ERR.notSupported())
    const now = o.clock.nowMs()
    const token = bearer(req)
    let session: AccessSession | undefined
    if (token !== undefined || !found.r.isPublic) {
      const check = sessions.check(token, now)
      if (check._tag !== 'Valid') return authError(check) ?? errorReply(ERR.invalidToken())
      session = check.session
    }
    // Anonymous calls to public routes share one budget.
    if (!limiter.tryAcquire(session?.user.userId ?? '', found.r.group, now)) return errorReply(ERR.tooManyRequests())
    const ctx: RequestContext = {
      session,
      params: found.params,
      query: url.searchParams,
      body: parsed,
      startedMs,
      nowMs: o.clock.nowMs,
    }
    return found.r.handle(ctx)
  }

  const server = createServer((req, res) => {
    const startedMs = o.clock.nowMs()
    const path = (req.url ?? '/').split('?')[0]
    route(req, res, startedMs).then(
      async (reply) => {
        const after = afterFaults.get(req)
        if (after?.kind === 'drop') {
          req.socket.destroy()
          return
        }
        if (after?.kind === 'delay') await sleep(after.ms)
        if (reply !== 'handled') send(res, reply)
        log.debug({ method: req.method, path, status: res.statusCode }, 'request')
      },
      (e: unknown) => {
        log.error({ method: req.method, path, err: e instanceof Error ? e.message : String(e) }, 'handler failed')
        send(res, { httpStatus: 500, body: errorBody(ERR.internal()) })
      },
    )
  })
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })

  const upgrade = createFeedUpgrade({
    sessions,
    nowMs: o.clock.nowMs,
    wsUrl,
    marketFeed,
    portfolioFeed,
    log,
    maxPayload: MAX_BODY_BYTES,
  })
  server.on('upgrade', upgrade.handle)

  const listened = await new Promise<E.Either<SandboxStartError, AddressInfo>>((resolve) => {
    server.once('error', (e) => resolve(E.left({ _tag: 'SandboxListenFailed', reason: e.message })))
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve(E.right(server.address() as AddressInfo)))
  })
  if (E.isLeft(listened)) {
    marketFeed.stop()
    portfolioFeed.stop()
    return listened
  }
  server.on('error', (e) => log.error({ err: e.message }, 'server error'))
  const host = listened.right.family === 'IPv6' ? `[${listened.right.address}]` : listened.right.address
  baseUrl = `http://${host}:${listened.right.port}`

  let autoplay: NodeJS.Timeout | undefined
  if (o.speed !== undefined && o.speed > 0) {
    const periodMs = Math.max(10, TICK_SPACING_MS / o.speed)
    const perFire = Math.max(1, Math.round((periodMs * o.speed) / TICK_SPACING_MS))
    autoplay = setInterval(() => market.step(perFire), periodMs)
  }
  log.info({ baseUrl, replayDate: market.replayDate(), speed: o.speed ?? null }, 'upstox sandbox listening')

  return E.right({
    baseUrl,
    user,
    market,
    orders,
    faults,
    issueAuthCode: () => sessions.issueAuthCode(user),
    issueAccessToken: () => sessions.issueToken(user, o.clock.nowMs()).token,
    expireTokens,
    closeFeeds: (code: 1000 | 1006) => marketFeed.closeAll(code) + portfolioFeed.closeAll(code),
    openSockets: () => ({ market: marketFeed.count(), portfolio: portfolioFeed.count() }),
    close: () =>
      new Promise<void>((resolve) => {
        if (autoplay !== undefined) clearInterval(autoplay)
        marketFeed.stop()
        portfolioFeed.stop()
        upgrade.close()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  })
}

export interface UpstoxSandbox {
  readonly baseUrl: string
  readonly user: SandboxUser
  readonly market: ReturnType<typeof createMarketReplay>
  readonly orders: ReturnType<typeof createOrderEngine>
  readonly faults: ReturnType<typeof createFaults>
  readonly issueAuthCode: () => string
  readonly issueAccessToken: () => string
  readonly expireTokens: () => number
  readonly closeFeeds: (code: 1000 | 1006) => number
  readonly openSockets: () => { market: number; portfolio: number }
  readonly close: () => Promise<void>
}
