export * from './operatorCommand.js'
