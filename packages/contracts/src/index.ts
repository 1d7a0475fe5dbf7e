export * from './generated/index.ts'
export { linkBytecode, type LinkReferences } from './link.ts'
