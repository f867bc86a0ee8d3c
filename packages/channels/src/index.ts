// Every channel's cases file: real-shaped provider traffic and what the channel makes of it,
// for integrators to read and for the shared harness to run.
export { botframeworkCases } from './botframework/cases.js';
export { CHANNEL_CAPABILITIES } from './capabilities.js';
export type {
  ChannelCases,
  ExpectedEvents,
  ExpectedRefusal,
  InboundCase,
  OutboundCase,
  WebhookRequest,
} from './cases.js';
export { callProvider, failureFromStatus, type ProviderCall, type ProviderResponse } from './http.js';
export { HttpRefusal, jsonErrorHandler } from './http-errors.js';
export type { ChannelContext, ChannelModule, ChannelService } from './module.js';
export { AccountRateLimits, Pace, type PaceOptions, type PaceTurn } from './rate-limit.js';
export {
  CHANNEL_MODULES,
  type ChannelStatus,
  channelStatuses,
  createChannelSenders,
  mountChannelWebhooks,
  startChannelServices,
} from './registry.js';
export { type SenderDeps, startChannelSender } from './sender.js';
export { telegramCases } from './telegram/cases.js';
export { twilioCases } from './twilio/cases.js';
export {
  type ChannelSender,
  ProviderError,
  type ProviderOutcome,
  type Reconciliation,
  type SendReceipt,
} from './types.js';
export { WEBCHAT_WIDGET_FILE } from './webchat/assets.js';
export { type WebchatRequest, webchatCases } from './webchat/cases.js';
export { TRUSTED_PROXIES } from './webchat/client-address.js';
export { type WebchatLimitSettings, webchatLimitSettings } from './webchat/limits.js';
export type { ServerFrame, WebchatPart } from './webchat/protocol.js';
export { renderWebchat } from './webchat/render.js';
export {
  attachWebchatSocket,
  WEBCHAT_SOCKET_PATH,
  type WebchatSocketOptions,
  type WebchatSocketServer,
} from './webchat/socket.js';
export { webchatSecret } from './webchat/verify.js';
export { whatsappCases } from './whatsapp/cases.js';
