export * from './strategy.js'
export * from './streakStrategy.js'
