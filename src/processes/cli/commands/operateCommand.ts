import * as E from 'fp-ts/lib/Either.js'
import { sendControlCommand } from '../../../adapters/control/index.js'
import { loadSymbolTable } from '../../../adapters/importers/index.js'
import { RiskScope } from '../../../domain/events/index.js'
import { InstrumentKey } from '../../../domain/ids/index.js'
import type { OperatorCommand } from '../../../domain/operator/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'
import { packagedSymbolsPath } from '../home.js'

// `bahi kill-switch <journal> engage|release [--scope global|strategy|instrument] [--target ID|KEY|SYMBOL] --reason R`
// and `bahi strategy <journal> enable|disable <strategyId> --reason R`: an operator's command to the running session
// that writes that journal (`bahi run`), over its operator channel (control.json in the journal directory). The
// session decides whether it applies and journals it; the reply names the events it became, or why not.
// Exit codes: 0 done, 1 the session refused it or could not be reached, 2 a bad command line.

export interface OperateOptions {
  readonly journal: string | undefined
  readonly action: string | undefined
  readonly scope: string | undefined
  readonly target: string | undefined
  readonly strategyId: string | undefined
  readonly reason: string | undefined
  readonly json: boolean
}

const commandOf = (what: 'kill-switch' | 'strategy', o: OperateOptions): E.Either<string, OperatorCommand> => {
  const reason = o.reason?.trim() ?? ''
  if (reason === '') return E.left('--reason is required: it is journalled with the command')
  if (what === 'strategy') {
    if (o.action !== 'enable' && o.action !== 'disable')
      return E.left(`expected enable or disable, got ${o.action ?? 'nothing'}`)
    if (o.strategyId === undefined) return E.left('expected the strategy id (e.g. sma-cross.1) after the action')
    return E.right({ command: 'strategy', action: o.action, strategyId: o.strategyId, reason })
  }
  if (o.action !== 'engage' && o.action !== 'release')
    return E.left(`expected engage or release, got ${o.action ?? 'nothing'}`)
  const scope = o.scope ?? 'global'
  if (!RiskScope.is(scope)) return E.left(`--scope must be global, strategy or instrument, got ${scope}`)
  let target = o.target
  // An instrument may be named by its trading symbol, as everywhere else on the command line.
  if (scope === 'instrument' && target !== undefined && !InstrumentKey.is(target)) {
    const symbols = loadSymbolTable(packagedSymbolsPath())
    const key = E.isRight(symbols) ? symbols.right.get(target.toUpperCase()) : undefined
    if (key === undefined) return E.left(`--target ${target} is neither an instrument key nor a known trading symbol`)
    target = key
  }
  return E.right({
    command: 'kill-switch',
    action: o.action,
    scope,
    ...(target === undefined ? {} : { target }),
    reason,
  })
}

export const operateCommand = async (
  what: 'kill-switch' | 'strategy',
  o: OperateOptions,
  io: CliIo,
): Promise<ExitCode> => {
  if (o.journal === undefined) {
    io.err(`bahi ${what}: expected the journal directory of a running session (bahi run prints it)`)
    return 2
  }
  const cmd = commandOf(what, o)
  if (E.isLeft(cmd)) {
    io.err(`bahi ${what}: ${cmd.left}`)
    return 2
  }
  const reply = await sendControlCommand(o.journal, cmd.right)
  if (E.isLeft(reply)) {
    io.err(`bahi ${what}: ${reply.left}`)
    return 1
  }
  if (!reply.right.ok) {
    io.err(`bahi ${what}: refused by the session: ${reply.right.error}`)
    return 1
  }
  printResult(io, o.json, { ...reply.right, command: cmd.right }, [
    `bahi ${what}: done, journalled as ${reply.right.events.join(', ')} (last seq ${reply.right.seq})`,
  ])
  return 0
}
