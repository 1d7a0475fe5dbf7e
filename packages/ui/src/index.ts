/**
 * @hermit/ui: one local page (`hermit ui`, `hermit guard --ui`) to propose, review and sign, and
 * to see what the guard decided — served on 127.0.0.1 with a one-time token, nothing from a third party.
 */
export { startUi, type UiOptions, type UiServer } from './server.ts'
export { GuardBoard, type GuardBoardOptions } from './guard.ts'
export { PaidCalls, zkpayPaid, type PaidSource } from './paid.ts'
export { bundlePage } from './bundle.ts'
export { UiError, UI_ERROR_CODES, type UiErrorCode } from './errors.ts'
export type * from './view.ts'
