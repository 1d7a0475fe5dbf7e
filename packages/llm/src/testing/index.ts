export {
  startScriptedModelServer,
  SCRIPTED_VERSION,
  type ScriptedModelServer,
  type ScriptedReply,
  type RecordedRequest,
  type Script,
} from './scripted-server.ts'
export {
  providerContract,
  contractJudgement,
  CONTRACT_CASES,
  type ContractCase,
  type ContractSubject,
} from './contract.ts'
