import { formatIst } from '../../domain/time/index.js'
import type { Faults, HttpFault } from './faults.js'
import type { MarketReplay } from './marketReplay.js'
import { type ApiReply, ERR, errorReply, success } from './restEnvelope.js'

// The sandbox's own control endpoints, under `/_sandbox/` (no auth: the server binds to loopback):
//   GET    /_sandbox/state                    market time, replay date, open sockets, pending faults
//   POST   /_sandbox/market/step              {"ticks": n}  advance the market n ticks (4 ticks = 1 minute)
//   POST   /_sandbox/faults/http              {"kind":"status","status":429|500|503,"count":n,"path"?}
//                                             {"kind":"delay","ms":n,"count":n,"path"?}  {"kind":"drop","count":n}
//                                             "after":true on delay/drop: handle first, then delay/drop the response
//   POST   /_sandbox/faults/feed              {"action":"close","code":1000|1006} | {"action":"silence","on":bool}
//                                             | {"action":"malformed","count":n}
//   POST   /_sandbox/faults/expire-tokens     every token issued so far expires now
//   DELETE /_sandbox/faults                   clear every pending fault

export interface AdminDeps {
  readonly market: MarketReplay
  readonly faults: Faults
  readonly closeFeeds: (code: 1000 | 1006) => number
  readonly expireTokens: () => number
  readonly openSockets: () => { market: number; portfolio: number }
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)
const posInt = (u: unknown, max: number): number | undefined =>
  typeof u === 'number' && Number.isSafeInteger(u) && u >= 1 && u <= max ? u : undefined

export const decodeHttpFault = (u: unknown): HttpFault | undefined => {
  if (!isRecord(u)) return undefined
  const count = u.count === undefined ? 1 : posInt(u.count, 1_000_000)
  const path = typeof u.path === 'string' ? u.path : undefined
  if (count === undefined) return undefined
  const at = path === undefined ? {} : { path }
  const after = u.after === true ? { after: true } : {}
  switch (u.kind) {
    case 'status': {
      const status = posInt(u.status, 599)
      return status !== undefined && status >= 400 ? { kind: 'status', status, count, ...at } : undefined
    }
    case 'delay': {
      const ms = posInt(u.ms, 600_000)
      return ms === undefined ? undefined : { kind: 'delay', ms, count, ...at, ...after }
    }
    case 'drop':
      return { kind: 'drop', count, ...at, ...after }
    default:
      return undefined
  }
}

export const handleAdmin = (d: AdminDeps, method: string, segments: readonly string[], body: unknown): ApiReply => {
  const path = segments.slice(1).join('/')
  if (body !== undefined && !isRecord(body))
    return errorReply(ERR.invalidInput(null, null, 'The body, when sent, must be a JSON object'))
  const b = body ?? {}
  switch (`${method} ${path}`) {
    case 'GET state':
      return success({
        market_time: formatIst(d.market.nowMs()),
        replay_date: d.market.replayDate(),
        minute_of_session: d.market.minuteOfSession(),
        market_open: d.market.isOpen(),
        sockets: d.openSockets(),
        faults: d.faults.describe(),
      })
    case 'POST market/step': {
      const n = b.ticks === undefined ? 1 : posInt(b.ticks, 100_000)
      if (n === undefined) return errorReply(ERR.invalidInput('ticks', b.ticks, 'ticks must be 1..100000'))
      const ticks = d.market.step(n)
      return success({ ticks: ticks.length, market_time: formatIst(d.market.nowMs()) })
    }
    case 'POST faults/http': {
      const f = decodeHttpFault(body)
      if (f === undefined) return errorReply(ERR.invalidInput(null, body ?? null, 'Not an HTTP fault'))
      d.faults.injectHttp(f)
      return success(d.faults.describe())
    }
    case 'POST faults/feed':
      if (b.action === 'close' && (b.code === 1000 || b.code === 1006)) return success({ closed: d.closeFeeds(b.code) })
      if (b.action === 'silence' && typeof b.on === 'boolean') {
        d.faults.state.feedSilent = b.on
        return success(d.faults.describe())
      }
      if (b.action === 'malformed' && posInt(b.count, 1_000_000) !== undefined) {
        d.faults.state.malformedFrames += b.count as number
        return success(d.faults.describe())
      }
      return errorReply(ERR.invalidInput(null, body ?? null, 'Not a feed fault'))
    case 'POST faults/expire-tokens':
      return success({ expired: d.expireTokens() })
    case 'DELETE faults':
      d.faults.clear()
      return success(d.faults.describe())
    default:
      return errorReply(ERR.notSupported())
  }
}
