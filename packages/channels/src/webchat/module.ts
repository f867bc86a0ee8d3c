import type { ChannelModule } from '../module.js';
import { createWebchatSender } from './send.js';

/**
 * Web chat is always on: its socket is attached by the gateway next to the
 * HTTP server (see socket.ts), its sender writes to Redis.
 */
export const webchatModule: ChannelModule = {
  channels: ['webchat'],
  status: () => ({ enabled: true, reason: 'on: widget at /webchat/widget.js, socket at /webchat/socket' }),
  createSenders: ({ redis, config }) => [createWebchatSender(redis, config.redisKeyPrefix)],
};
