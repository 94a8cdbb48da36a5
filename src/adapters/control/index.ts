export * from './controlClient.js'
export * from './controlProtocol.js'
export * from './controlServer.js'
