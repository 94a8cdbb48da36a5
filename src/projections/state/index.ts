export * from './tradingSnapshot.js'
export * from './tradingState.js'
