import type { Finding, Rule, RuleContext } from '../context.ts'
import {
  approvalExceedsBalance,
  approvalToEoa,
  approvalToNewContract,
  approvalToUnknownContract,
  unexpectedSpender,
  unlimitedApproval,
} from './approvals.ts'
import { eip7702Authorization, ownershipTransfer, proxyUpgrade, unknownDelegatecall } from './authority.ts'
import { contractCreated, reverts, unknownFunction } from './execution.ts'
import {
  cannotSell,
  firstInteraction,
  lookalikeAddress,
  outflowLimit,
  sellUnchecked,
  unexpectedRecipient,
  valueToToken,
} from './flows.ts'
import { claimNotFree, intentMismatch, readOnlyIntent } from './intent.ts'
import {
  callToNoCode,
  dustSender,
  pulledThroughAllowance,
  recipientBurn,
  recipientTokenContract,
} from './recipients.ts'
import { safeConfigChange } from './safe.ts'
import { instantUpgrade } from './trust.ts'
import { swapBelowMinimum, swapRecipient, swapSlippage, swapTermsUnread } from './swap.ts'
import { fakePermit2, longExpiry, orderAnyTokenId, orderThirdParty, typedDataChainMismatch } from './typed.ts'
import { freeAssetsOrder, listing, permitSignature, rawHashSignature, unknownTypedData } from './signing.ts'

export { looksAlike } from './flows.ts'

/** Every deterministic rule, each a pure function of the context with a stable id. */
export const rules: readonly Rule[] = [
  unlimitedApproval,
  approvalExceedsBalance,
  approvalToEoa,
  approvalToNewContract,
  approvalToUnknownContract,
  unexpectedSpender,
  unexpectedRecipient,
  intentMismatch,
  valueToToken,
  firstInteraction,
  lookalikeAddress,
  ownershipTransfer,
  proxyUpgrade,
  unknownDelegatecall,
  eip7702Authorization,
  rawHashSignature,
  permitSignature,
  freeAssetsOrder,
  unknownTypedData,
  reverts,
  unknownFunction,
  contractCreated,
  outflowLimit,
  cannotSell,
  sellUnchecked,
  listing,
  readOnlyIntent,
  claimNotFree,
  swapBelowMinimum,
  swapSlippage,
  swapRecipient,
  swapTermsUnread,
  pulledThroughAllowance,
  recipientTokenContract,
  recipientBurn,
  callToNoCode,
  dustSender,
  typedDataChainMismatch,
  fakePermit2,
  orderThirdParty,
  orderAnyTokenId,
  longExpiry,
  safeConfigChange,
  instantUpgrade,
]

export function runRules(ctx: RuleContext, list: readonly Rule[] = rules): Finding[] {
  return list.flatMap((r) => r.check(ctx))
}
