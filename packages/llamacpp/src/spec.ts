import type { ProviderEnv, SpecResolver } from '@hermit/llm'
import { LlamaCppError } from './errors.ts'
import { checkModelFile } from './load.ts'
import { llamaCppProvider, type LlamaCppProvider } from './provider.ts'

/**
 * The `llamacpp:` scheme for `providerFromSpec(spec, env, { llamacpp: llamaCppSpec })`: the rest
 * of the spec is the path of the GGUF file. The file is checked now, so a wrong path is a usage
 * error before any work starts; the model itself loads on the first call.
 */
export const llamaCppSpec: SpecResolver = (path: string, env: ProviderEnv): LlamaCppProvider => {
  if (!path.trim())
    throw new LlamaCppError('LLAMACPP_BAD_SPEC', 'llamacpp: needs the path of a GGUF file.', {
      hint: 'Use --model llamacpp:/path/to/model.gguf.',
    })
  checkModelFile(path)
  return llamaCppProvider({ modelPath: path, ...(env.timeoutMs === undefined ? {} : { timeoutMs: env.timeoutMs }) })
}
