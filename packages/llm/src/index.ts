export type {
  ChatChunk,
  ChatMessage,
  ChatReply,
  ChatRequest,
  LlmProvider,
  LlmResult,
  ProviderKind,
  Role,
  ToolCall,
  ToolSpec,
} from './types.ts'
export { ollamaProvider, DEFAULT_OLLAMA_HOST, type OllamaProviderOptions } from './ollama.ts'
export { openAiCompatibleProvider, type OpenAiCompatibleOptions } from './openai.ts'
export { noneProvider, NO_MODEL_REASON } from './none.ts'
export {
  generateObject,
  runWithTools,
  defineTool,
  extractJson,
  type GenerateObjectOptions,
  type Tool,
  type ToolRunResult,
} from './structured.ts'
export { providerFromSpec, normalizeHost, type ProviderEnv } from './provider.ts'
export { untrusted, UNTRUSTED_NOTICE } from './untrusted.ts'
export {
  LlmError,
  LlmOutputError,
  LlmUnavailableError,
  LlmAbortedError,
  LLM_ERROR_CODES,
  type LlmErrorCode,
} from './errors.ts'
