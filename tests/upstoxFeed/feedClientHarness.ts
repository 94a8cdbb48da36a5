import { createServer, type Server, Socket } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import pino, { type Logger } from 'pino'
import type { FeedError, FeedStatusPayload, TickPayload } from '../../src/adapters/upstoxFeed/index.js'

// Helpers for the feed client tests: authorize over real HTTP against the sandbox (fetch + Bearer, as the REST
// adapter will), a loopback TCP proxy that counts how many sockets the client holds at once, and waiting on
// conditions instead of sleeping.

const AuthorizeReply = t.type({ data: t.type({ authorized_redirect_uri: t.string }) })
const ErrorReply = t.type({ errors: t.array(t.type({ errorCode: t.string, message: t.string })) })

/** Calls a sandbox authorize endpoint; 401s become `FeedTokenExpired` / `FeedUnauthorized`, the rest transient. */
export const sandboxAuthorize =
  (baseUrl: string, token: () => string, path = '/v3/feed/market-data-feed/authorize', rewrite = (u: string) => u) =>
  async (): Promise<E.Either<FeedError, string>> => {
    let res: Response
    try {
      res = await fetch(`${baseUrl}${path}`, {
        headers: { authorization: `Bearer ${token()}`, accept: 'application/json' },
      })
    } catch (e) {
      return E.left({ _tag: 'FeedAuthorizeFailed', reason: (e as Error).message })
    }
    const body: unknown = await res.json().catch(() => undefined)
    if (res.status === 401) {
      const err = ErrorReply.decode(body)
      const message = E.isRight(err) ? (err.right.errors[0]?.message ?? 'HTTP 401') : 'HTTP 401'
      return E.left({ _tag: /expired/i.test(message) ? 'FeedTokenExpired' : 'FeedUnauthorized', reason: message })
    }
    const ok = AuthorizeReply.decode(body)
    if (res.status !== 200 || E.isLeft(ok)) return E.left({ _tag: 'FeedAuthorizeFailed', reason: `HTTP ${res.status}` })
    return E.right(rewrite(ok.right.data.authorized_redirect_uri))
  }

/** A TCP proxy on loopback in front of the sandbox: counts open client sockets and the most ever open at once. */
export const startCountingProxy = async (targetPort: number) => {
  let open = 0
  let maxOpen = 0
  let total = 0
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    open++
    total++
    maxOpen = Math.max(maxOpen, open)
    const upstream = new Socket()
    sockets.add(client)
    sockets.add(upstream)
    const done = () => {
      if (!sockets.has(client)) return
      sockets.delete(client)
      sockets.delete(upstream)
      open--
      client.destroy()
      upstream.destroy()
    }
    client.on('error', done).on('close', done)
    upstream.on('error', done).on('close', done)
    upstream.connect(targetPort, '127.0.0.1', () => {
      client.pipe(upstream)
      upstream.pipe(client)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    port,
    /** Points an authorized URL at the proxy. */
    rewrite: (url: string) => url.replace(/:\d+\//, `:${port}/`),
    open: () => open,
    maxOpen: () => maxOpen,
    total: () => total,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

/** Resolves once `cond()` holds, checking on every event-loop turn; no wall-clock deadline (vitest's applies). */
export const waitFor = async (cond: () => boolean, what: string): Promise<void> => {
  for (let i = 0; !cond(); i++) {
    await new Promise((r) => setTimeout(r, i < 50 ? 5 : 20))
    if (i > 50_000) throw new Error(`never happened: ${what}`)
  }
}

/** What a client reported, in order. */
export const recorder = () => {
  const statuses: FeedStatusPayload[] = []
  const ticks: { tick: TickPayload; kind: string }[] = []
  return {
    statuses,
    ticks,
    onStatus: (s: FeedStatusPayload) => statuses.push(s),
    onTicks: (batch: readonly TickPayload[], frame: { kind: string }) => {
      for (const tick of batch) ticks.push({ tick, kind: frame.kind })
    },
    sequence: () => statuses.map((s) => s.status),
  }
}

export const quietLog = (): Logger => pino({ level: 'silent' })
