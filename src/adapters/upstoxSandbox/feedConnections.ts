import type { Logger } from 'pino'
import type { WebSocket } from 'ws'
import { type Faults, MALFORMED_FRAME } from './faults.js'

// What both streams (market data and portfolio) share: the open sockets per user (at most one per user; a new
// connection replaces the old, closed with 1000), WebSocket pings as the heartbeat, and the socket faults.

export interface Connection<S> {
  readonly ws: WebSocket
  readonly userId: string
  readonly state: S
  /** False once the token the socket was authorized with has expired. */
  readonly authorized: () => boolean
}

export const createFeedConnections = <S>(o: {
  readonly faults: Faults
  readonly log: Logger
  readonly heartbeatMs: number
}) => {
  const byUser = new Map<string, Connection<S>>()

  const send = (c: Connection<S>, data: Uint8Array | string): void => {
    if (o.faults.state.feedSilent || c.ws.readyState !== c.ws.OPEN) return
    c.ws.send(typeof data !== 'string' && o.faults.takeMalformed() ? MALFORMED_FRAME : data)
  }

  const add = (ws: WebSocket, userId: string, state: S, authorized: () => boolean): Connection<S> => {
    const old = byUser.get(userId)
    if (old !== undefined) old.ws.close(1000, 'replaced by a new connection')
    const c: Connection<S> = { ws, userId, state, authorized }
    byUser.set(userId, c)
    // autoPong is off so that a "silent" socket can also stop answering pings.
    ws.on('ping', (data) => {
      if (!o.faults.state.feedSilent) ws.pong(data)
    })
    ws.on('close', () => {
      if (byUser.get(userId) === c) byUser.delete(userId)
    })
    ws.on('error', (e) => o.log.debug({ err: e.message }, 'feed socket error'))
    return c
  }

  /** Sockets whose token has expired are closed (1000, "token expired"), as Upstox closes them. */
  const closeExpired = (): number => {
    let n = 0
    for (const c of byUser.values())
      if (!c.authorized()) {
        c.ws.close(1000, 'token expired')
        n++
      }
    return n
  }

  const heartbeat = setInterval(() => {
    closeExpired()
    if (o.faults.state.feedSilent) return
    for (const c of byUser.values()) if (c.ws.readyState === c.ws.OPEN) c.ws.ping()
  }, o.heartbeatMs)
  heartbeat.unref()

  /** 1000 closes cleanly; 1006 (abnormal, no close frame) drops the TCP connection. */
  const closeAll = (code: 1000 | 1006): number => {
    const n = byUser.size
    for (const c of byUser.values()) {
      if (code === 1000) c.ws.close(1000, 'closed by the sandbox')
      else c.ws.terminate()
    }
    return n
  }

  const stop = () => {
    clearInterval(heartbeat)
    closeAll(1006)
  }

  return {
    add,
    send,
    closeAll,
    closeExpired,
    stop,
    all: (): Iterable<Connection<S>> => byUser.values(),
    count: () => byUser.size,
  }
}
