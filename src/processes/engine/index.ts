export * from './builtinEngine.js'
