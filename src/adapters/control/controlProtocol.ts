import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { OperatorCommand } from '../../domain/operator/index.js'

// The operator channel's wire format: one JSON request, one JSON reply, over a ZeroMQ REQ/REP pair on loopback. The
// session writes where to reach it, and the token a request must carry, into `control.json` in its journal
// directory, readable by its owner only: whoever can read that file can halt or resume the session.

export const CONTROL_FILE = 'control.json'

export const ControlFile = t.type({ endpoint: t.string, token: t.string, pid: t.number })
export type ControlFile = t.TypeOf<typeof ControlFile>

export const ControlRequest = t.type({ token: t.string, command: OperatorCommand })
export type ControlRequest = t.TypeOf<typeof ControlRequest>

export const ControlReply = t.union([
  /** Done: the events it became were journalled; `seq` is the last one's. */
  t.type({ ok: t.literal(true), seq: t.number, events: t.array(t.string) }),
  t.type({ ok: t.literal(false), error: t.string }),
])
export type ControlReply = t.TypeOf<typeof ControlReply>

/** The first problem of a decode, by path, for a reply that says what was wrong with the request. */
export const describeDecodeErrors = (errors: t.Errors): string => {
  const first = errors[0]
  if (first === undefined) return 'invalid'
  const path = first.context
    .map((c) => c.key)
    .filter(Boolean)
    .join('.')
  return `${path === '' ? 'the request' : path}: expected ${first.context.at(-1)?.type.name ?? 'a valid value'}, got ${JSON.stringify(first.value)}`
}

/** A message's text as a request, or why not. */
export const parseControlRequest = (text: string): E.Either<string, ControlRequest> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return E.left(`not JSON: ${(e as Error).message}`)
  }
  const r = ControlRequest.decode(json)
  return E.isLeft(r) ? E.left(describeDecodeErrors(r.left)) : E.right(r.right)
}
