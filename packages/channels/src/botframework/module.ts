/**
 * Teams and Messenger through Azure Bot Service (Bot Framework): one module,
 * one webhook (POST /api/messages), one sender per channel.
 *
 * With MicrosoftAppId set, every activity must carry a Bot Framework JWT.
 * Without it the module runs open, for the Bot Framework Emulator on the
 * same machine only, and says so loudly at start.
 */
import type { Config } from '@passerelle/core';
import type { ChannelModule } from '../module.js';
import { createBotFrameworkSender } from './send.js';
import { connectorTokenSource, type TokenSource } from './token.js';
import { ActivityAuthenticator, type BotFrameworkEndpoints, PUBLIC_CLOUD_ENDPOINTS } from './verify.js';
import { BOT_FRAMEWORK_PATH, mountBotFrameworkWebhook } from './webhook.js';

export interface BotframeworkModuleOptions {
  /** Where the signing keys are fetched (tests, private clouds). Default: the public cloud. */
  endpoints?: Partial<BotFrameworkEndpoints>;
  /** How replies get their bearer token. Default: botframework-connector's credentials for MicrosoftAppId. */
  tokenSource?: (env: Config['env']) => TokenSource | undefined;
  /** Provider call timeout for replies. */
  sendTimeoutMs?: number;
}

const OPEN_WARNING =
  'Bot Framework in OPEN mode: MicrosoftAppId is unset, so POST /api/messages checks no token and serves only ' +
  'the Bot Framework Emulator on this machine (callers on the loopback interface, loopback serviceUrl; others ' +
  'get a 403). Set MicrosoftAppId and MicrosoftAppPassword to serve Teams and Messenger.';

export function createBotframeworkModule(options: BotframeworkModuleOptions = {}): ChannelModule {
  return {
    channels: ['teams', 'messenger'],
    status(config) {
      const env = config.env;
      if (!env.MicrosoftAppId) {
        return {
          enabled: true,
          reason: `on, OPEN (MicrosoftAppId unset): ${BOT_FRAMEWORK_PATH} checks no token and serves only the Bot Framework Emulator on this machine`,
        };
      }
      return {
        enabled: true,
        reason: `on: Azure Bot Service at ${BOT_FRAMEWORK_PATH}, tokens checked for MicrosoftAppId (${env.MicrosoftAppType})`,
      };
    },
    mountWebhooks(router, context) {
      const metadataUrl = context.config.env.BOTFRAMEWORK_OPENID_METADATA_URL;
      const authenticator = new ActivityAuthenticator(context.config.env, {
        ...PUBLIC_CLOUD_ENDPOINTS,
        ...(metadataUrl ? { channelOpenIdMetadataUrl: metadataUrl } : {}),
        ...options.endpoints,
      });
      if (authenticator.open) context.logger.warn({ channels: ['teams', 'messenger'] }, OPEN_WARNING);
      mountBotFrameworkWebhook(router, context, authenticator);
    },
    createSenders({ config, redis }) {
      const tokenSource = (options.tokenSource ?? connectorTokenSource)(config.env);
      return (['teams', 'messenger'] as const).map((channel) =>
        createBotFrameworkSender(channel, {
          redis,
          prefix: config.redisKeyPrefix,
          tokenSource,
          ...(options.sendTimeoutMs ? { timeoutMs: options.sendTimeoutMs } : {}),
        }),
      );
    },
  };
}

export const botframeworkModule: ChannelModule = createBotframeworkModule();
