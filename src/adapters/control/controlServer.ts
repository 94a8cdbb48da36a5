import { randomBytes, timingSafeEqual } from 'node:crypto'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { Reply } from 'zeromq'
import type { OperatorCommand } from '../../domain/operator/index.js'
import { CONTROL_FILE, type ControlFile, type ControlReply, parseControlRequest } from './controlProtocol.js'

// The session's end of the operator channel: a REP socket on 127.0.0.1 (an ephemeral port), answering one request
// at a time. A bad request (not JSON, a wrong shape, a wrong token) gets an error reply and changes nothing; the
// server never throws into the session. Its address and token go into `<dir>/control.json` (mode 0600), removed on
// close.

export interface ControlServer {
  readonly endpoint: string
  readonly close: () => Promise<void>
}

export interface ControlServerOptions {
  /** Where `control.json` goes: the session's journal directory. */
  readonly dir: string
  /** Applies a command: the last journalled seq and the types of the events it became, or why it does not apply. */
  readonly onCommand: (cmd: OperatorCommand) => Promise<E.Either<string, { seq: number; events: readonly string[] }>>
  readonly log: Logger
}

export const startControlServer = async (o: ControlServerOptions): Promise<E.Either<string, ControlServer>> => {
  const sock = new Reply({ linger: 0 })
  try {
    await sock.bind('tcp://127.0.0.1:*')
  } catch (e) {
    sock.close()
    return E.left(`cannot open the operator channel: ${(e as Error).message}`)
  }
  const endpoint = sock.lastEndpoint ?? ''
  const token = randomBytes(24).toString('hex')
  const file = join(o.dir, CONTROL_FILE)
  const content: ControlFile = { endpoint, token, pid: process.pid }
  try {
    writeFileSync(file, `${JSON.stringify(content)}\n`, { mode: 0o600 })
  } catch (e) {
    sock.close()
    return E.left(`cannot write ${file}: ${(e as Error).message}`)
  }
  const expected = Buffer.from(token)
  const answer = async (text: string): Promise<ControlReply> => {
    const req = parseControlRequest(text)
    if (E.isLeft(req)) return { ok: false, error: `bad request: ${req.left}` }
    const given = Buffer.from(req.right.token)
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, error: `wrong token (read it from ${file})` }
    const done = await o.onCommand(req.right.command)
    return E.isLeft(done)
      ? { ok: false, error: done.left }
      : { ok: true, seq: done.right.seq, events: [...done.right.events] }
  }
  const served = (async () => {
    for await (const [msg] of sock) {
      let reply: ControlReply
      try {
        reply = await answer(msg?.toString('utf8') ?? '')
      } catch (e) {
        // A bug in applying it: said to the operator and logged, and the session goes on.
        o.log.error({ err: e }, 'operator command failed')
        reply = { ok: false, error: `internal error: ${(e as Error).message}` }
      }
      o.log.info({ ok: reply.ok, ...(reply.ok ? { seq: reply.seq } : { error: reply.error }) }, 'operator command')
      await sock.send(JSON.stringify(reply))
    }
  })().catch((e: unknown) => o.log.error({ err: e }, 'operator channel stopped'))
  o.log.info({ endpoint, file }, 'operator channel open')
  return E.right({
    endpoint,
    close: async () => {
      rmSync(file, { force: true })
      sock.close()
      await served
    },
  })
}
