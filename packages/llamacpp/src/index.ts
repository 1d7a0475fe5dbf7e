/**
 * @hermit/llamacpp: a GGUF model run in-process by llama.cpp (node-llama-cpp, CPU build), behind
 * @hermit/llm's `LlmProvider`. Structured output is held by a grammar made from the zod schema.
 * A package of its own so @hermit/llm stays light: only what selects `llamacpp:` loads it.
 */
export { llamaCppProvider, type LlamaCppProvider, type LlamaCppProviderOptions } from './provider.ts'
export { llamaCppSpec } from './spec.ts'
export { toGrammarSchema, type GrammarSchema } from './grammar.ts'
export { toChatHistory } from './history.ts'
export { checkModelFile, loadedModelCount, type LoadOptions } from './load.ts'
export { LlamaCppError, LLAMACPP_ERROR_CODES, type LlamaCppErrorCode } from './errors.ts'
