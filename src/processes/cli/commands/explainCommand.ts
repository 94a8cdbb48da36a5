import * as E from 'fp-ts/lib/Either.js'
import { describeJournalError, openJournalReader } from '../../../journal/index.js'
import { describeEvent, explain, manifestSymbols } from '../../replay/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'

// `bahi explain <journal> <seq|orderId> [--json]`: the chain of causes of a decision, e.g.
//   fill <- acceptance <- submission <- order <- signal <- bar

export const explainCommand = async (journal: string, target: string, json: boolean, io: CliIo): Promise<ExitCode> => {
  const opened = openJournalReader(journal)
  if (E.isLeft(opened)) {
    io.err(`bahi explain: ${describeJournalError(opened.left)}`)
    return 2
  }
  try {
    const r = await explain(opened.right, target)
    if (E.isLeft(r)) {
      io.err(`bahi explain: ${r.left._tag === 'NotFound' ? `not found: ${r.left.what}` : describeJournalError(r.left)}`)
      return 2
    }
    const { chain, lifecycle } = r.right
    const names = await manifestSymbols(opened.right)
    printResult(io, json, { journal, target, chain, lifecycle }, [
      ...(lifecycle.length > 0
        ? [`order ${target}:`, ...lifecycle.map((e) => `  ${describeEvent(e, names)}`), 'caused by:']
        : []),
      ...chain.map((e, i) => `${i === 0 ? '   ' : '<- '}${describeEvent(e, names)}`),
    ])
    return 0
  } finally {
    await opened.right.close()
  }
}
