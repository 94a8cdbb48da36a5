import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import WebSocket from 'ws'
import type { FeedStatus, FeedStatusChanged } from '../../domain/events/index.js'
import { type BackoffPolicy, createBackoff, DEFAULT_BACKOFF } from './backoff.js'
import { describeFeedError, type FeedError, isFinalFeedError } from './feedErrors.js'

// One self-healing WebSocket to an Upstox stream, shared by the market feed and the portfolio stream clients.
//
// - Exactly one socket at a time: a new one is opened only from the previous socket's `close` event (or at start),
//   never while one is open or connecting; Upstox allows one connection per user and replaces the older one.
// - Every connect fetches a fresh authorized URL (they are single use). A final authorize error (expired token,
//   unauthorized) stops the client with status `closed` and that reason instead of retrying forever.
// - Reconnects wait a jittered exponential backoff; the attempt count resets once a connection has stayed up for
//   `stableMs`, so a server that accepts and then drops at once is retried ever more slowly, not in a tight loop.
// - A watchdog pings every `pingMs`; when neither a frame, a ping nor a pong arrived for `silenceMs` the socket is
//   reported `silent`, terminated, and replaced (Upstox sockets are known to stay open but go quiet).
// - Every status transition is reported once, with a reason, as a `FeedStatusChanged` payload.

export type FeedStatusPayload = FeedStatusChanged['payload']

/** What a caller of either stream client may tune about its connection; the client fills in the defaults. */
export interface FeedConnectionOptions {
  /** Returns a fresh single-use wss URL; called before every connect. */
  readonly authorize: () => Promise<E.Either<FeedError, string>>
  readonly log: Logger
  /** Name in `FeedStatusChanged.feed`; each client has its own default. */
  readonly feed?: string
  /** No frame and no pong for this long: the socket counts as silent and is replaced. Each client has a default. */
  readonly silenceMs?: number
  /** Client ping period; each client has a default. */
  readonly pingMs?: number
  /** A connection up this long resets the backoff; default 10 s. */
  readonly stableMs?: number
  readonly backoff?: BackoffPolicy
  /** Jitter source; default Math.random. */
  readonly random?: () => number
  readonly nowMs?: () => number
  readonly onStatus?: (s: FeedStatusPayload) => void
}

export interface FeedSocketOptions {
  /** The stream's name in `FeedStatusChanged.feed`. */
  readonly feed: string
  readonly authorize: () => Promise<E.Either<FeedError, string>>
  readonly log: Logger
  readonly silenceMs: number
  readonly pingMs: number
  readonly stableMs: number
  readonly backoff: BackoffPolicy
  readonly random: () => number
  readonly nowMs: () => number
  /** Called on every open (also after a reconnect): the place to (re)send subscriptions. */
  readonly onOpen: (send: (data: Buffer | string) => void) => void
  readonly onMessage: (data: Buffer, isBinary: boolean) => void
  readonly onStatus: (s: FeedStatusPayload) => void
}

export interface FeedSocketCounters {
  /** Sockets opened since start. */
  readonly connections: number
  /** Sockets that were open and got replaced by a new one. */
  readonly reconnects: number
  /** Connect attempts that failed before the socket opened (authorize or handshake). */
  readonly failedAttempts: number
}

/** What differs between the clients' defaults: their name and how chatty their stream is. */
export interface FeedDefaults {
  readonly feed: string
  readonly silenceMs: number
  readonly pingMs: number
}

/** A client's connection options with every default filled in: the shared part of `FeedSocketOptions`. */
export const feedConnection = (
  o: FeedConnectionOptions,
  d: FeedDefaults,
): Omit<FeedSocketOptions, 'onOpen' | 'onMessage' | 'onStatus'> => ({
  feed: o.feed ?? d.feed,
  authorize: o.authorize,
  log: o.log,
  silenceMs: o.silenceMs ?? d.silenceMs,
  pingMs: o.pingMs ?? d.pingMs,
  stableMs: o.stableMs ?? 10_000,
  backoff: o.backoff ?? DEFAULT_BACKOFF,
  random: o.random ?? Math.random,
  nowMs: o.nowMs ?? Date.now,
})

const toBuffer = (data: WebSocket.RawData): Buffer =>
  Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)

export const createFeedSocket = (o: FeedSocketOptions) => {
  const backoff = createBackoff(o.backoff, o.random)
  let status: FeedStatus | 'idle' = 'idle'
  let ws: WebSocket | undefined
  /** True from the start of a connect attempt (authorize included) until its socket closes. */
  let busy = false
  let stopped = false
  let lastError: FeedError | undefined
  let retry: NodeJS.Timeout | undefined
  let watchdog: NodeJS.Timeout | undefined
  let connections = 0
  let reconnects = 0
  let failedAttempts = 0
  let settleClose: (() => void) | undefined

  const transition = (next: FeedStatus, reason: string): void => {
    if (status === next) return
    status = next
    o.log.info({ feed: o.feed, status: next, reason }, 'feed status')
    o.onStatus({ feed: o.feed, status: next, reason })
  }

  const stop = (reason: string): void => {
    stopped = true
    if (retry !== undefined) clearTimeout(retry)
    retry = undefined
    transition('closed', reason)
  }

  const scheduleReconnect = (reason: string): void => {
    transition('reconnecting', reason)
    const delayMs = backoff.next()
    o.log.debug({ feed: o.feed, delayMs, attempt: backoff.attempts() }, 'feed reconnect scheduled')
    retry = setTimeout(() => {
      retry = undefined
      void connect()
    }, delayMs)
  }

  const startWatchdog = (socket: WebSocket, heard: { ms: number }): void => {
    const everyMs = Math.max(10, Math.min(o.pingMs, Math.floor(o.silenceMs / 2)))
    watchdog = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return
      if (o.nowMs() - heard.ms >= o.silenceMs) {
        transition('silent', `no frame, ping or pong for ${o.silenceMs} ms`)
        socket.terminate()
        return
      }
      socket.ping()
    }, everyMs)
  }

  // The contract is an Either, but a rejected promise must not end the reconnect loop: it becomes a transient error
  // value like any other authorize failure.
  const authorizeSafely = async (): Promise<E.Either<FeedError, string>> => {
    try {
      return await o.authorize()
    } catch (e) {
      return E.left({ _tag: 'FeedAuthorizeFailed', reason: `authorize threw: ${e instanceof Error ? e.message : e}` })
    }
  }

  const connect = async (): Promise<void> => {
    if (stopped || busy || ws !== undefined) return
    busy = true
    const url = await authorizeSafely()
    if (stopped) {
      busy = false
      settleClose?.()
      return
    }
    if (E.isLeft(url)) {
      busy = false
      lastError = url.left
      failedAttempts++
      if (isFinalFeedError(url.left)) stop(describeFeedError(url.left))
      else scheduleReconnect(describeFeedError(url.left))
      return
    }
    let socket: WebSocket
    try {
      socket = new WebSocket(url.right, { perMessageDeflate: false })
    } catch (e) {
      // An unusable URL (ws throws on a bad scheme or syntax): the next authorize may give a good one.
      busy = false
      failedAttempts++
      lastError = { _tag: 'FeedAuthorizeFailed', reason: `unusable feed URL: ${e instanceof Error ? e.message : e}` }
      scheduleReconnect(describeFeedError(lastError))
      return
    }
    ws = socket
    const heard = { ms: o.nowMs() }
    let openedMs: number | undefined
    let socketError: string | undefined
    socket.on('open', () => {
      openedMs = o.nowMs()
      heard.ms = openedMs
      connections++
      if (connections > 1) reconnects++
      transition('connected', connections > 1 ? 'reconnected' : 'connected')
      startWatchdog(socket, heard)
      o.onOpen((data) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(data)
      })
    })
    socket.on('message', (data, isBinary) => {
      heard.ms = o.nowMs()
      o.onMessage(toBuffer(data), isBinary)
    })
    socket.on('ping', () => {
      heard.ms = o.nowMs()
    })
    socket.on('pong', () => {
      heard.ms = o.nowMs()
    })
    // Handshake failures (a refused URL answers 401 before the upgrade) and socket errors both end in `close`.
    socket.on('error', (e) => {
      socketError = e.message
      o.log.warn({ feed: o.feed, err: e.message }, 'feed socket error')
    })
    socket.on('close', (code, why) => {
      if (watchdog !== undefined) clearInterval(watchdog)
      watchdog = undefined
      ws = undefined
      busy = false
      if (stopped) {
        settleClose?.()
        return
      }
      if (openedMs === undefined) {
        failedAttempts++
        lastError = { _tag: 'FeedAuthorizeFailed', reason: socketError ?? `handshake failed (${code})` }
        scheduleReconnect(`connect failed: ${socketError ?? code}`)
        return
      }
      if (o.nowMs() - openedMs >= o.stableMs) backoff.reset()
      const text = why.toString('utf8')
      scheduleReconnect(status === 'silent' ? 'silent socket terminated' : `closed ${code}${text ? ` (${text})` : ''}`)
    })
  }

  return {
    start: (): void => {
      if (status !== 'idle') return
      transition('connecting', 'started')
      void connect()
    },
    /** Sends on the open socket; false when there is none (the frame is then not queued). */
    send: (data: Buffer | string): boolean => {
      if (ws === undefined || ws.readyState !== WebSocket.OPEN) return false
      ws.send(data)
      return true
    },
    status: (): FeedStatus | 'idle' => status,
    lastError: (): FeedError | undefined => lastError,
    counters: (): FeedSocketCounters => ({ connections, reconnects, failedAttempts }),
    /** Closes the socket (1000) and stops reconnecting; settles once the socket (if any) has closed. */
    close: (): Promise<void> => {
      if (stopped && ws === undefined && !busy) return Promise.resolve()
      const wait = new Promise<void>((resolve) => {
        settleClose = resolve
      })
      const pending = ws !== undefined || busy
      stop('closed by the client')
      if (ws !== undefined) {
        const socket = ws
        socket.close(1000, 'client closing')
        // A peer that never answers the close handshake must not keep close() pending.
        setTimeout(() => socket.terminate(), 2000).unref()
      }
      return pending ? wait : Promise.resolve()
    },
  }
}

export type FeedSocket = ReturnType<typeof createFeedSocket>
