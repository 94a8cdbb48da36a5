export * from './seededRandom.js'
export * from './syntheticMarket.js'
