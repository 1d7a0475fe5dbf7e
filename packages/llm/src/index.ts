/**
 * @hermit/llm: one interface to a local model (Ollama, an OpenAI-compatible server, or `none`),
 * with zod-typed structured output and tool calls. Data from a chain or a dapp is quoted as
 * untrusted before a model sees it; `none` is always there, and says that no model was consulted.
 */
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
