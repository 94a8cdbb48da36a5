import {
  createStrategyRegistry,
  emaCrossStrategy,
  openingRangeBreakoutStrategy,
  rsiReversionStrategy,
  smaCrossStrategy,
  streakStrategy,
  vwapReversionStrategy,
} from '../../domain/strategies/index.js'
import { createEngine, type Engine, type EngineConfig } from '../../projections/index.js'

// The engine every CLI command uses: the built-in strategies and the default risk rules. Replays must use the same
// configuration as the run they replay, which the manifest's code version pins.

export const builtinEngineConfig: EngineConfig = {
  strategies: createStrategyRegistry([
    smaCrossStrategy,
    emaCrossStrategy,
    rsiReversionStrategy,
    openingRangeBreakoutStrategy,
    vwapReversionStrategy,
    streakStrategy,
  ]),
}

export const createBuiltinEngine = (): Engine => createEngine(builtinEngineConfig)
