export * from './feedAuthorize.js'
export * from './sessionHeader.js'
export * from './tradingSession.js'
