import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Logger } from 'pino'
import { WebSocketServer } from 'ws'
import type { MarketFeed } from './marketFeed.js'
import type { PortfolioFeed } from './portfolioFeed.js'
import type { Sessions, WsKind } from './sessions.js'

// WebSocket upgrades for both streams. The authorized URLs (from the authorize endpoints) carry a single-use code;
// a connect to the public paths with a Bearer token is answered, as on Upstox, with a 302 to a fresh authorized URL
// (the SDK's streamers follow it). Anything else is refused with a plain HTTP status before the handshake.

export const MARKET_FEED_PATH = '/market-data-feeder/v3/upstox-developer-api/feeds'
export const PORTFOLIO_FEED_PATH = '/portfolio-stream-feeder/v2/upstox-developer-api/feeds'
const PUBLIC_PATHS: Readonly<Record<string, WsKind>> = {
  '/v3/feed/market-data-feed': 'market',
  '/v2/feed/portfolio-stream-feed': 'portfolio',
}

export const bearer = (req: IncomingMessage): string | undefined => {
  const h = req.headers.authorization
  const m = h === undefined ? null : /^Bearer\s+(\S+)$/i.exec(h)
  return m?.[1]
}

const answer = (socket: Socket, head: string) =>
  socket.end(`HTTP/1.1 ${head}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)

export const createFeedUpgrade = (o: {
  readonly sessions: Sessions
  readonly nowMs: () => number
  readonly wsUrl: (kind: WsKind, code: string) => string
  readonly marketFeed: MarketFeed
  readonly portfolioFeed: PortfolioFeed
  readonly log: Logger
  readonly maxPayload: number
}) => {
  // autoPong off: the feeds answer pings themselves, so a "silent" fault can withhold pongs too.
  const wss = new WebSocketServer({ noServer: true, autoPong: false, maxPayload: o.maxPayload })

  const handle = (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    socket.on('error', () => socket.destroy())
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid')
    const now = o.nowMs()
    const publicKind = PUBLIC_PATHS[url.pathname]
    if (publicKind !== undefined) {
      const c = o.sessions.check(bearer(req), now)
      if (c._tag !== 'Valid') {
        answer(socket, '401 Unauthorized')
        return
      }
      const types = (url.searchParams.get('update_types') ?? 'order').split(',')
      answer(socket, `302 Found\r\nLocation: ${o.wsUrl(publicKind, o.sessions.grantWs(publicKind, c.session, types))}`)
      return
    }
    const kind: WsKind | undefined =
      url.pathname === MARKET_FEED_PATH ? 'market' : url.pathname === PORTFOLIO_FEED_PATH ? 'portfolio' : undefined
    if (kind === undefined) {
      answer(socket, '404 Not Found')
      return
    }
    const grant = o.sessions.redeemWs(url.searchParams.get('code') ?? '', kind)
    if (grant === undefined || o.sessions.check(grant.session.token, now)._tag !== 'Valid') {
      o.log.info({ path: url.pathname }, 'feed connection refused')
      answer(socket, '401 Unauthorized')
      return
    }
    const authorized = () => o.sessions.check(grant.session.token, o.nowMs())._tag === 'Valid'
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (grant.kind === 'market') o.marketFeed.accept(ws, grant.session.user.userId, authorized)
      else o.portfolioFeed.accept(ws, grant.session.user.userId, grant.updateTypes, authorized)
    })
  }

  return { handle, close: () => wss.close() }
}
