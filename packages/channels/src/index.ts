export type { ChannelCases, ExpectedEvents, ExpectedRefusal, InboundCase, OutboundCase } from './cases.js';
export { callProvider, failureFromStatus, type ProviderCall, type ProviderResponse } from './http.js';
export { AccountRateLimits } from './rate-limit.js';
export { type ChannelStatus, channelStatuses, createChannelSenders } from './registry.js';
export { type SenderDeps, startChannelSender } from './sender.js';
export { type ChannelSender, ProviderError, type ProviderOutcome, type SendReceipt } from './types.js';
export { WEBCHAT_WIDGET_FILE } from './webchat/assets.js';
export { type WebchatRequest, webchatCases } from './webchat/cases.js';
export type { ServerFrame, WebchatPart } from './webchat/protocol.js';
export { renderWebchat } from './webchat/render.js';
export {
  attachWebchatSocket,
  WEBCHAT_SOCKET_PATH,
  type WebchatSocketOptions,
  type WebchatSocketServer,
} from './webchat/socket.js';
export { webchatSecret } from './webchat/verify.js';
