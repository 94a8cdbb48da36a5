export * from './barAggregator.js'
export * from './barBucket.js'
export * from './resampleBars.js'
