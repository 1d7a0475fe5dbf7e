import { HermitError } from '@hermit/errors'

export const UI_ERROR_CODES = [
  /** The page's script could not be bundled (a broken page source or a missing dependency). */
  'UI_BUNDLE_FAILED',
  /** A request to the page's API does not fit its schema. */
  'UI_BAD_REQUEST',
  /** No proposal, guard request or panel with that id. */
  'UI_NOT_FOUND',
  /** The page asked to sign, but the server has no local account (no HERMIT_PRIVATE_KEY). */
  'UI_NO_SIGNER',
  /** The page asked for something this server was not started with (proposing, the guard, paid calls). */
  'UI_UNAVAILABLE',
  /** The request's Host or Origin is not this local server (DNS rebinding, another site's page). */
  'UI_FORBIDDEN',
  /** The call lacks the one-time token of the page's URL. */
  'UI_TOKEN_REQUIRED',
  /** Something failed that the page cannot fix (shown with its short message). */
  'UI_INTERNAL',
  /** Chromium is neither installed nor installable here (test scaffolding). */
  'UI_CHROMIUM_MISSING',
] as const
export type UiErrorCode = (typeof UI_ERROR_CODES)[number]

export class UiError extends HermitError<UiErrorCode> {}
