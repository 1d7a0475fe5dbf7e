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
  TokenUsage,
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
  jsonText,
  type GenerateObjectOptions,
  type Tool,
  type ToolRunResult,
} from './structured.ts'
export { providerFromSpec, normalizeHost, type ProviderEnv, type SpecResolver } from './provider.ts'
export { usageOf, sumUsage } from './usage.ts'
export { integerLiteralProblem, numberLiterals, type IntegerLiteralProblem } from './integers.ts'
// for providers built on top of this package (e.g. @hermit/llamacpp): one timeout/cancel behaviour
export { requestSignal, transportError, DEFAULT_TIMEOUT_MS } from './signal.ts'
export { untrusted, UNTRUSTED_NOTICE } from './untrusted.ts'
export {
  LlmError,
  LlmOutputError,
  LlmUnavailableError,
  LlmAbortedError,
  LLM_ERROR_CODES,
  type LlmErrorCode,
} from './errors.ts'
