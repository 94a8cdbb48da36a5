import { existsSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { MarketStore } from '../../adapters/marketStore/index.js'

// A backtest or sweep command reads the store three times before and during its run: the trading symbols
// (`withStoreSymbols`), the data check (`checkBacktestData`) and the run's stream (`executeBacktest`). Each would open
// it on its own, ~20 ms a time; the command opens it once here and hands it to all three, and closes it at the end.

/**
 * The store at `storePath`, opened read-only. Undefined when there is none, or it cannot be opened (held by a writer,
 * say): each read then opens what it reads itself (the sealed days, for a store held by a writer) and says why
 * when that fails, as it did before this was shared.
 */
export const openStoreOnce = async (storePath: string, log: Logger): Promise<MarketStore | undefined> => {
  if (!existsSync(storePath)) return undefined
  const ms = await import('../../adapters/marketStore/index.js')
  const opened = await ms.openMarketStore(storePath, log.child({ component: 'market-store' }), { readOnly: true })
  if (E.isRight(opened)) return opened.right
  log.debug({ reason: ms.describeMarketStoreError(opened.left) }, 'store not opened once; each read opens its own')
  return undefined
}
