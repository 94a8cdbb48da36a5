export * from './runSweep.js'
export * from './sweepRanking.js'
