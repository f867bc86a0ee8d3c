export type { Bot, BotAnswer, BotState, BotTurn, OutboundMeta } from './bot.js';
export { checkBotConnectors, openBotConnectors } from './bot-connectors.js';
export { BOT_FILE, type BotDefinition, FAQ_FILE, FLOWS_DIR, loadBot } from './bot-folder/load-bot.js';
export type { BotSettings, Flow, FlowNode } from './bot-folder/schemas.js';
export { BotFolderError, formatProblems, type Problem } from './bot-folder/yaml-source.js';
export { BotHost, type ReloadResult, reloadChannel } from './bot-host.js';
export {
  acceptsChannel,
  type Campaign,
  CampaignFile,
  localInstant,
  MESSENGER_TAGS,
  type WindowState,
  windowState,
} from './campaigns/campaign-file.js';
export {
  broadcastEvent,
  decideRecipient,
  type RecipientDecision,
  SKIP_REASONS,
  type SkipReason,
} from './campaigns/decide.js';
export { BroadcastDispatcher, type DispatcherDeps, type PaceMeter } from './campaigns/dispatcher.js';
export { CampaignEntries, type CampaignMatch } from './campaigns/entry.js';
export { CAMPAIGNS_DIR } from './campaigns/load-campaigns.js';
export {
  type ChannelQuietHours,
  checkQuietHours,
  DEFAULT_QUIET_HOURS,
  type QuietHoursCheck,
  QuietHoursPolicy,
  QuietHoursSettings,
  quietHoursFor,
} from './campaigns/quiet-hours.js';
export { type CampaignSummary, resultsOf, resultsTable, summarizeCampaign } from './campaigns/results.js';
export { DialogEngine } from './engine/dialog-engine.js';
export type { BroadcastOutcome, CampaignMoment, DialogServices, TicketRequest } from './engine/services.js';
export { type ConsoleEvent, HandoffDesk, type HandoffEnd, SYSTEM_PAYLOAD } from './hybrid/desk.js';
export { describeWait, waitEstimate } from './hybrid/estimate.js';
export { describeHours, formatReopening, isOpen, nextOpening } from './hybrid/hours.js';
export { ALWAYS_OPEN, loadTeams, type Team, type TeamsFile, teamFor } from './hybrid/teams.js';
export { type Session, SessionStore } from './session-store.js';
export {
  type ConversationResult,
  runScriptFile,
  ScriptFile,
  type ScriptRunOptions,
  scriptFiles,
} from './testing/script.js';
export {
  type BotMessage,
  ConversationSimulator,
  formatBotMessage,
  type SimulatorOptions,
} from './testing/simulator.js';
export { fill, type Locale, normalise, pickLocale } from './text.js';
export { type DialogWorkerDeps, startDialogWorker } from './worker.js';
