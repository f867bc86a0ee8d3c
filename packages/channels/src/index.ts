export { AccountRateLimits } from './rate-limit.js';
export { type ChannelStatus, channelStatuses, createChannelSenders } from './registry.js';
export { type SenderDeps, startChannelSender } from './sender.js';
export { type ChannelSender, ProviderError, type ProviderOutcome, type SendReceipt } from './types.js';
export { WEBCHAT_WIDGET_FILE } from './webchat/assets.js';
export type { ServerFrame, WebchatPart } from './webchat/protocol.js';
export {
  attachWebchatSocket,
  WEBCHAT_SOCKET_PATH,
  type WebchatSocketOptions,
  type WebchatSocketServer,
} from './webchat/socket.js';
export { webchatSecret } from './webchat/verify.js';
