/**
 * @hermit/gateway: anonymous paid model calls as a product. `createGateway` puts the zk-rln gate in
 * front of an OpenAI-compatible or Ollama server, priced by size; `createPayProxy` is the user's
 * side, on 127.0.0.1, paying each call with precomputed tickets. Devnet scaffolding is behind
 * `@hermit/gateway/testing`.
 */
export { createGateway, type Gateway, type GatewayOptions } from './gateway.ts'
export { createPayProxy, type PayProxy, type PayProxyOptions, type ProxyStatus } from './proxy.ts'
export {
  PAID_ROUTES,
  FREE_ROUTES,
  quote,
  askedOutput,
  nextPowerOfTwo,
  tokensPerTicketFor,
  type Pricing,
  type Quote,
  type PaidRoute,
  type Api,
} from './pricing.ts'
export { createMetrics, type Metrics } from './metrics.ts'
export { apiError } from './api-error.ts'
export { GatewayError, GATEWAY_ERROR_CODES, type GatewayErrorCode } from './errors.ts'
