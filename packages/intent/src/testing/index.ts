export { loadCorpus, evaluate, summarize, CORPUS_PATH, type CorpusEntry, type CorpusResult } from './corpus.ts'
export { installEns } from './ens.ts'
