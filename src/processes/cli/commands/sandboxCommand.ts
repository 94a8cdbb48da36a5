import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { describeCalendarLoadError, loadCalendar } from '../../../adapters/calendar/index.js'
import { describeSandboxStartError, startUpstoxSandbox } from '../../../adapters/upstoxSandbox/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'

// `bahi sandbox`: the Upstox-compatible local exchange on 127.0.0.1, replaying the seeded synthetic NSE market. It
// prints what a client needs to connect (with --json, one JSON line) and serves until SIGINT or SIGTERM.

export interface SandboxOptions {
  readonly port: number
  /** Replay speed: 1 = real time, 60 = one market minute per second. Undefined or 0: the market moves only through
   * `POST /_sandbox/market/step`. */
  readonly speed?: number
  readonly json: boolean
  readonly host?: string
  readonly from?: string
  readonly historyDays?: number
  readonly seed?: number
  /** Stops the server when it settles (tests); otherwise SIGINT/SIGTERM do. */
  readonly until?: Promise<unknown>
}

const DEFAULT_SPEED = 60

export const sandboxCommand = async (o: SandboxOptions, io: CliIo, log: Logger): Promise<ExitCode> => {
  if (!Number.isSafeInteger(o.port) || o.port < 0 || o.port > 65_535) {
    io.err(`bahi sandbox: --port must be 0..65535, got "${o.port}"`)
    return 2
  }
  const speed = o.speed ?? DEFAULT_SPEED
  if (!Number.isFinite(speed) || speed < 0 || speed > 100_000) {
    io.err(`bahi sandbox: --speed must be a number from 0 to 100000, got "${o.speed}"`)
    return 2
  }
  const calendar = loadCalendar()
  if (E.isLeft(calendar)) {
    io.err(`bahi sandbox: ${describeCalendarLoadError(calendar.left)}`)
    return 2
  }
  const started = await startUpstoxSandbox({
    calendar: calendar.right,
    log,
    clock: { nowMs: () => Date.now() },
    host: o.host ?? '127.0.0.1',
    port: o.port,
    ...(speed > 0 ? { speed } : {}),
    ...(o.from === undefined ? {} : { from: o.from }),
    ...(o.historyDays === undefined ? {} : { historyDays: o.historyDays }),
    ...(o.seed === undefined ? {} : { seed: o.seed }),
  })
  if (E.isLeft(started)) {
    io.err(`bahi sandbox: ${describeSandboxStartError(started.left)}`)
    return 1
  }
  const s = started.right
  const info = {
    baseUrl: s.baseUrl,
    clientId: s.user.clientId,
    clientSecret: s.user.clientSecret,
    redirectUri: s.user.redirectUri,
    authCode: s.issueAuthCode(),
    accessToken: s.issueAccessToken(),
    replayDate: s.market.replayDate(),
    speed,
  }
  printResult(io, o.json, info, [
    `bahi sandbox: Upstox-compatible exchange on ${s.baseUrl}, replaying ${info.replayDate} at ${speed > 0 ? `${speed}x` : 'manual steps'}`,
    `  baseUrl       ${info.baseUrl}`,
    `  clientId      ${info.clientId}`,
    `  clientSecret  ${info.clientSecret}`,
    `  redirectUri   ${info.redirectUri}`,
    `  authCode      ${info.authCode}`,
    `  accessToken   ${info.accessToken}`,
    'SDK: set ApiClient basePath and orderBasePath to baseUrl. Faults: POST /_sandbox/faults/... (docs/sandbox.md).',
    'Ctrl-C stops.',
  ])
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    o.until?.then(stop, stop)
  })
  await s.close()
  return 0
}
