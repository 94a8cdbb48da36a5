export * from './orderBook.js'
