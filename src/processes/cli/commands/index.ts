export * from './backtestCommand.js'
export * from './demoCommand.js'
export * from './explainCommand.js'
export * from './replayCommand.js'
