export {
  startScriptedModelServer,
  SCRIPTED_VERSION,
  type ScriptedModelServer,
  type ScriptedReply,
  type RecordedRequest,
  type Script,
} from './scripted-server.ts'
