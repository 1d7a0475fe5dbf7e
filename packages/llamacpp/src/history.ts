import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from 'node-llama-cpp'
import type { ChatMessage } from '@hermit/llm'

/**
 * Hermit's transcript → node-llama-cpp's chat history, ending in an empty model turn for the reply.
 * A tool message becomes the result of the assistant's earlier call of that tool, which is how
 * the model's chat template shows tool results to it.
 */
export function toChatHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = []
  let lastModel: ChatModelResponse | undefined
  for (const m of messages) {
    if (m.role === 'system') history.push({ type: 'system', text: m.content })
    else if (m.role === 'user') history.push({ type: 'user', text: m.content })
    else if (m.role === 'assistant') {
      const calls: ChatModelFunctionCall[] = (m.toolCalls ?? []).map((c) => ({
        type: 'functionCall',
        name: c.name,
        params: c.arguments,
        result: undefined,
      }))
      lastModel = { type: 'model', response: [...(m.content ? [m.content] : []), ...calls] }
      history.push(lastModel)
      continue
    } else {
      const open = lastModel?.response.find(
        (r): r is ChatModelFunctionCall =>
          typeof r === 'object' && r.type === 'functionCall' && r.name === m.toolName && r.result === undefined,
      )
      if (open) open.result = m.content
      // a result no call asked for still reaches the model, as words
      else history.push({ type: 'user', text: `Result of the tool ${m.toolName ?? '(unnamed)'}: ${m.content}` })
      continue
    }
    lastModel = undefined
  }
  history.push({ type: 'model', response: [] })
  return history
}
