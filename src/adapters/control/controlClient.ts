import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { Request } from 'zeromq'
import type { OperatorCommand } from '../../domain/operator/index.js'
import { CONTROL_FILE, ControlFile, ControlReply, describeDecodeErrors } from './controlProtocol.js'

// The operator's end of the channel: reads the session's `control.json`, sends one command and waits for the reply.
// A session that has ended (no file) or does not answer in time is an error that says so.

export const sendControlCommand = async (
  dir: string,
  command: OperatorCommand,
  timeoutMs = 5_000,
): Promise<E.Either<string, ControlReply>> => {
  const file = join(dir, CONTROL_FILE)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return E.left(
      code === 'ENOENT'
        ? `no running session at ${dir} (no ${CONTROL_FILE}: the session has ended, or this is not a session's journal)`
        : `cannot read ${file}: ${(e as Error).message}`,
    )
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return E.left(`${file} is not JSON: ${(e as Error).message}`)
  }
  const control = ControlFile.decode(json)
  if (E.isLeft(control)) return E.left(`${file}: ${describeDecodeErrors(control.left)}`)
  const sock = new Request({ linger: 0, sendTimeout: timeoutMs, receiveTimeout: timeoutMs })
  try {
    sock.connect(control.right.endpoint)
    await sock.send(JSON.stringify({ token: control.right.token, command }))
    const [reply] = await sock.receive()
    let parsed: unknown
    try {
      parsed = JSON.parse(reply?.toString('utf8') ?? '')
    } catch (e) {
      return E.left(`the session's reply is not JSON: ${(e as Error).message}`)
    }
    const r = ControlReply.decode(parsed)
    return E.isLeft(r) ? E.left(`the session's reply: ${describeDecodeErrors(r.left)}`) : E.right(r.right)
  } catch (e) {
    const code = (e as { code?: string }).code
    return E.left(
      code === 'EAGAIN'
        ? `the session (pid ${control.right.pid}) did not answer within ${timeoutMs} ms at ${control.right.endpoint}`
        : `cannot reach the session at ${control.right.endpoint}: ${(e as Error).message}`,
    )
  } finally {
    sock.close()
  }
}
