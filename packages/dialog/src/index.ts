export type { Bot, BotAnswer, BotTurn } from './bot.js';
export { BOT_FILE, KeywordBot, KeywordBotFile, loadKeywordBot } from './keyword-bot.js';
export { type BotState, type Session, SessionStore } from './session-store.js';
export { fill, type Locale, normalise, pickLocale } from './text.js';
export { type DialogWorkerDeps, startDialogWorker } from './worker.js';
