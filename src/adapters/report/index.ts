export * from './reportFiles.js'
