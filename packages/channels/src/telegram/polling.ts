/**
 * Long polling (TELEGRAM_MODE=polling): getUpdates against the API root,
 * each update through the same check -> parse -> accept path as the webhook.
 *
 * Nothing is lost: getUpdates with offset N confirms every update below N,
 * so the offset moves past an update only after all its events were
 * accepted. When accept fails, the loop backs off and asks again from that
 * update; events accepted before the failure come back as duplicates and
 * are dropped by the queue's dedup. The offset lives at Telegram (offset 0
 * means "the first unconfirmed update"), so a restart or another process
 * taking over resumes where the last one stopped.
 *
 * Telegraf's own Polling is not used: it moves the offset before handling
 * and confirms it when it stops, which would lose an update whose handling
 * failed; and it sleeps and retries on its own.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, redisLease } from '@passerelle/core';
import type { ChannelContext, ChannelService } from '../module.js';
import { ProviderError } from '../types.js';
import { type BotApi, callBotApi } from './api.js';
import { acceptUpdate, type InboundDeps } from './inbound.js';
import { ALLOWED_UPDATES } from './update.js';

export interface PollingOptions {
  /** How long Telegram holds a getUpdates open when there is nothing (seconds). */
  pollTimeoutSeconds?: number;
  /** How long the polling lease lasts without renewal. */
  leaseMs?: number;
  /** Backoff after a failure; a 429's retry_after wins. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export function startTelegramPolling(
  context: ChannelContext,
  deps: Omit<InboundDeps, 'accept'>,
  api: BotApi,
  options: PollingOptions = {},
): ChannelService {
  const { settings, logger } = deps;
  const pollTimeout = options.pollTimeoutSeconds ?? 25;
  const leaseMs = options.leaseMs ?? Math.max(60_000, (pollTimeout + 30) * 1000);
  const backoff = { baseMs: options.retryBaseMs ?? 1_000, maxMs: options.retryMaxMs ?? 60_000 };
  const stopping = new AbortController();
  const lease = redisLease(
    context.redis,
    `${settings.redisKeyPrefix}:telegram:${settings.botId}:poller`,
    randomUUID(),
    leaseMs,
  );
  const inbound: InboundDeps = { ...deps, accept: context.accept };
  let offset = 0;
  let failures = 0;
  let waitingForLease = false;

  async function pollOnce(): Promise<void> {
    if (!(await lease.hold())) {
      if (!waitingForLease) logger.info({ botId: settings.botId }, 'telegram polling: another process polls; waiting');
      waitingForLease = true;
      await sleep(Math.min(leaseMs / 3, 10_000), undefined, { signal: stopping.signal });
      return;
    }
    if (waitingForLease) logger.info({ botId: settings.botId }, 'telegram polling: taking over');
    waitingForLease = false;
    const updates = await callBotApi<unknown[]>(
      api,
      'getUpdates',
      { offset, timeout: pollTimeout, allowed_updates: ALLOWED_UPDATES },
      { signal: stopping.signal, timeoutMs: (pollTimeout + 15) * 1000 },
    );
    for (const update of updates) {
      const updateId = (update as { update_id?: unknown })?.update_id;
      const outcome = await acceptUpdate(update, inbound);
      if (!outcome.ok) {
        context.refused('telegram', outcome.reason);
        logger.warn({ updateId, reason: outcome.reason }, 'telegram polling: update refused');
      } else if (outcome.callbackQueryId) {
        await answerCallbackQuery(outcome.callbackQueryId);
      }
      // Only now is this update ours for good: the next getUpdates confirms it.
      if (typeof updateId === 'number' && updateId >= offset) offset = updateId + 1;
    }
    failures = 0;
  }

  async function answerCallbackQuery(callbackQueryId: string): Promise<void> {
    try {
      await callBotApi(api, 'answerCallbackQuery', { callback_query_id: callbackQueryId }, { timeoutMs: 5_000 });
    } catch (error) {
      // Only the button's spinner depends on it (and Telegram refuses answers to old presses).
      logger.info({ reason: (error as Error).message }, 'telegram polling: answerCallbackQuery failed');
    }
  }

  async function run(): Promise<void> {
    logger.info({ botId: settings.botId, pollTimeout }, 'telegram polling started');
    while (!stopping.signal.aborted) {
      try {
        await pollOnce();
      } catch (error) {
        if (stopping.signal.aborted) break;
        failures += 1;
        const delay =
          error instanceof ProviderError && error.options.retryAfterMs !== undefined
            ? error.options.retryAfterMs
            : backoffDelay(failures, backoff);
        const message = error instanceof Error ? error.message : String(error);
        const conflict = error instanceof ProviderError && error.options.status === 409;
        logger.warn(
          { botId: settings.botId, failures, retryInMs: delay, reason: message },
          conflict
            ? 'telegram polling: Telegram refuses getUpdates (a webhook is set, or another poller runs); ' +
                'delete the webhook (deleteWebhook) or use TELEGRAM_MODE=webhook'
            : 'telegram polling: getUpdates or accept failed; polling again from the same update',
        );
        await sleep(delay, undefined, { signal: stopping.signal }).catch(() => {});
      }
    }
  }

  const running = run();
  return {
    async close() {
      stopping.abort();
      await running;
      await lease.release().catch((error) => logger.warn({ err: error }, 'telegram polling: lease release failed'));
      logger.info({ botId: settings.botId }, 'telegram polling stopped');
    },
  };
}
