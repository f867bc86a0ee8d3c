/**
 * The SMS channel through Twilio: on when TWILIO_ACCOUNT_SID,
 * TWILIO_AUTH_TOKEN and TWILIO_FROM are set. Webhooks at /webhooks/twilio
 * (messages) and /webhooks/twilio/status (delivery receipts); replies through
 * the Messages API.
 */
import type { ChannelModule } from '../module.js';
import { createTwilioSender } from './send.js';
import { INBOUND_PATH, STATUS_PATH, twilioSettings, usesMessagingService } from './settings.js';
import { mountTwilioWebhooks } from './webhooks.js';

export const twilioModule: ChannelModule = {
  channels: ['sms'],
  status(config) {
    const settings = twilioSettings(config);
    if (!settings) return { enabled: false, reason: 'off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM' };
    const sender = usesMessagingService(settings) ? 'a Messaging Service' : 'a number';
    // Without PUBLIC_URL, signatures are checked against localhost: every real Twilio request would be refused.
    const warning = config.env.PUBLIC_URL
      ? ''
      : '; PUBLIC_URL is not set, so Twilio signatures are checked against a localhost URL and will not match';
    return {
      enabled: true,
      reason: `on: sending from ${sender}, webhooks at ${INBOUND_PATH} and ${STATUS_PATH}${warning}`,
    };
  },
  mountWebhooks(router, context) {
    const settings = twilioSettings(context.config);
    if (settings) mountTwilioWebhooks(router, context, settings);
  },
  createSenders({ config, redis, logger }) {
    const settings = twilioSettings(config);
    return settings ? [createTwilioSender(settings, { redis, redisKeyPrefix: config.redisKeyPrefix, logger })] : [];
  },
};
