import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { Request } from 'zeromq'
import type { OperatorCommand } from '../../domain/operator/index.js'
import { sendControlCommand } from './controlClient.js'
import { CONTROL_FILE } from './controlProtocol.js'
import { startControlServer } from './controlServer.js'

// The operator channel over real ZeroMQ sockets on loopback: what a good command gets, and what every bad request
// gets instead (the session is never asked, and the server keeps answering).

const dirs: string[] = []
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'bahi-control-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const halt: OperatorCommand = { command: 'kill-switch', action: 'engage', scope: 'global', reason: 'test' }

/** A server whose session journals every command as one event at seq 41 + n, remembering what it was asked. */
const serve = async (dir: string) => {
  const asked: OperatorCommand[] = []
  const server = await startControlServer({
    dir,
    log: pino({ level: 'silent' }),
    onCommand: async (cmd) => {
      asked.push(cmd)
      return cmd.command === 'strategy'
        ? E.left('no strategy x')
        : E.right({ seq: 41 + asked.length, events: ['KillSwitchEngaged'] })
    },
  })
  if (E.isLeft(server)) throw new Error(server.left)
  return { server: server.right, asked }
}

/** Sends raw text to the endpoint and returns the reply's text. */
const raw = async (endpoint: string, text: string): Promise<unknown> => {
  const sock = new Request({ linger: 0, receiveTimeout: 3000 })
  sock.connect(endpoint)
  await sock.send(text)
  const [reply] = await sock.receive()
  sock.close()
  return JSON.parse(reply!.toString('utf8'))
}

describe('the operator channel', () => {
  it('a command with the token reaches the session, and its answer comes back; control.json is private', async () => {
    const dir = fresh()
    const { server, asked } = await serve(dir)
    expect(statSync(join(dir, CONTROL_FILE)).mode & 0o777).toBe(0o600)
    expect(await sendControlCommand(dir, halt)).toEqual(E.right({ ok: true, seq: 42, events: ['KillSwitchEngaged'] }))
    expect(
      await sendControlCommand(dir, { command: 'strategy', action: 'disable', strategyId: 'x', reason: 'r' }),
    ).toEqual(E.right({ ok: false, error: 'no strategy x' }))
    expect(asked).toEqual([halt, { command: 'strategy', action: 'disable', strategyId: 'x', reason: 'r' }])
    await server.close()
    expect(() => statSync(join(dir, CONTROL_FILE))).toThrow()
  })

  it('bad requests get an error reply naming the problem; the session is not asked and the server goes on', async () => {
    const dir = fresh()
    const { server, asked } = await serve(dir)
    const { token } = JSON.parse(readFileSync(join(dir, CONTROL_FILE), 'utf8')) as { token: string }
    expect(await raw(server.endpoint, 'halt!')).toEqual({
      ok: false,
      error: expect.stringMatching(/^bad request: not JSON/),
    })
    expect(await raw(server.endpoint, JSON.stringify({ token: 'nope', command: halt }))).toEqual({
      ok: false,
      error: `wrong token (read it from ${join(dir, CONTROL_FILE)})`,
    })
    expect(await raw(server.endpoint, JSON.stringify({ token, command: { ...halt, scope: 'everything' } }))).toEqual({
      ok: false,
      error: expect.stringMatching(/^bad request: command.*scope.*"everything"/),
    })
    expect(await raw(server.endpoint, JSON.stringify({ token, command: { ...halt, reason: ' ' } }))).toEqual({
      ok: false,
      error: expect.stringMatching(/^bad request: .*reason/),
    })
    expect(asked).toEqual([])
    expect(await raw(server.endpoint, JSON.stringify({ token, command: halt }))).toEqual({
      ok: true,
      seq: 42,
      events: ['KillSwitchEngaged'],
    })
    await server.close()
  })

  it('the client says when there is no session, and when the session does not answer', async () => {
    const dir = fresh()
    expect(await sendControlCommand(dir, halt)).toEqual(E.left(expect.stringContaining(`no running session at ${dir}`)))
    // an endpoint nobody listens on (a server that was closed without removing its file, say)
    const { server } = await serve(dir)
    const file = readFileSync(join(dir, CONTROL_FILE), 'utf8')
    await server.close()
    writeFileSync(join(dir, CONTROL_FILE), file)
    expect(await sendControlCommand(dir, halt, 300)).toEqual(
      E.left(expect.stringContaining('did not answer within 300 ms')),
    )
    writeFileSync(join(dir, CONTROL_FILE), '{"endpoint":1}')
    expect(await sendControlCommand(dir, halt)).toEqual(E.left(expect.stringContaining('control.json: endpoint')))
  })
})
