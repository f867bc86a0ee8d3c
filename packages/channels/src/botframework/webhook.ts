/**
 * POST /api/messages: the Bot Connector delivers Teams and Messenger
 * activities here (JSON). Verify (botbuilder), store the conversation
 * reference the sender will need, parse, accept every event, and only then
 * answer 200.
 */
import type { Channel } from '@passerelle/core';
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { HttpRefusal } from '../http-errors.js';
import type { ChannelContext } from '../module.js';
import { type InboundActivity, InboundActivitySchema } from './activity.js';
import { findChoice, saveReference } from './conversation-store.js';
import { channelFor, conversationIdOf, parseActivity, SERVED_CHANNEL_IDS, textReplyOf } from './parse.js';
import { type ActivityAuthenticator, VerificationUnavailable } from './verify.js';

export const BOT_FRAMEWORK_PATH = '/api/messages';
/**
 * Real activities (an Adaptive Card's submitted value, Teams' channelData) nest a dozen levels.
 * Far deeper, botbuilder's copy of the activity overflowed the stack and the request got a 503,
 * which the Bot Connector retries for ever; now a 400.
 */
const MAX_NESTING = 64;
/** Activities are small; Teams caps a message at about 28 KB. Room for attachments and entities. */
const BODY_LIMIT = '256kb';

export function mountBotFrameworkWebhook(
  router: Router,
  context: ChannelContext,
  authenticator: ActivityAuthenticator,
): void {
  // Until the body is read the channel is unknown; such refusals are counted under teams.
  const refuse = (channel: Channel, status: number, reason: string) => {
    context.refused(channel, reason);
    return new HttpRefusal(status, reason);
  };

  // Without a token (or, in open mode, from another machine) there is nothing to read: refused
  // before the body is parsed.
  const requireToken: RequestHandler = (req, _res, next) => {
    try {
      authenticator.checkCaller(req);
    } catch (error) {
      const reason = (error as Error).message;
      context.logger.warn(
        { channel: 'teams', reason },
        'Bot Framework request refused: open mode, not from this machine',
      );
      return next(refuse('teams', 403, reason));
    }
    if (authenticator.open || req.get('authorization')) return next();
    next(refuse('teams', 401, 'missing Authorization header (a Bot Framework JWT)'));
  };

  // Not strict: valid JSON that is not an object ("x", null) is then refused as not an activity,
  // rather than called invalid JSON.
  const readBody = express.json({ limit: BODY_LIMIT, type: 'application/json', strict: false });
  const bodyErrors: ErrorRequestHandler = (error, _req, _res, next) => {
    if (error instanceof HttpRefusal) return next(error);
    const status = typeof error?.status === 'number' ? error.status : 400;
    const reason =
      error?.type === 'entity.too.large'
        ? `body is larger than ${BODY_LIMIT}`
        : status === 415
          ? 'body must be UTF-8 JSON'
          : 'body is not valid JSON';
    next(refuse('teams', status >= 400 && status < 500 ? status : 400, reason));
  };

  const handle: RequestHandler = async (req, res) => {
    const receivedAt = new Date();
    if (req.body === undefined) throw refuse('teams', 415, 'Content-Type must be application/json');
    if (nestedDeeperThan(req.body, MAX_NESTING)) {
      throw refuse('teams', 400, `body is nested deeper than ${MAX_NESTING} levels`);
    }
    const parsed = InboundActivitySchema.safeParse(req.body);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'} ${issue.message}`);
      throw refuse('teams', 400, `not a Bot Framework activity: ${problems.join('; ')}`);
    }
    const activity = parsed.data;
    const counted = channelFor(activity.channelId) ?? 'teams';
    try {
      await authenticator.run(req, req.get('authorization'), activity, () => accept(activity, receivedAt));
    } catch (error) {
      if (error instanceof HttpRefusal) {
        context.refused(counted, error.message);
        throw error;
      }
      if (error instanceof VerificationUnavailable) {
        context.logger.warn(
          { err: error.cause, channel: counted },
          'cannot verify a Bot Framework token now; answered 503',
        );
        res.status(503).set('Retry-After', '10').json({ error: error.message });
        return;
      }
      throw error;
    }
    res.status(200).end();
  };

  async function accept(activity: InboundActivity, receivedAt: Date): Promise<void> {
    const channel = channelFor(activity.channelId);
    if (!channel) {
      throw new HttpRefusal(
        400,
        `Bot Framework channel '${activity.channelId}' is not served here (only ${SERVED_CHANNEL_IDS.join(', ')})`,
      );
    }
    const { redis, config } = context;
    const conversationId = conversationIdOf(channel, activity);
    const tenantId = activity.conversation.tenantId ?? tenantOf(activity);
    // Before accepting: the worker that answers needs it, possibly in another process.
    await saveReference(redis, config.redisKeyPrefix, conversationId, {
      channelId: activity.channelId,
      serviceUrl: activity.serviceUrl,
      conversationId: activity.conversation.id,
      ...(activity.conversation.conversationType ? { conversationType: activity.conversation.conversationType } : {}),
      ...(tenantId ? { tenantId } : {}),
      bot: { id: activity.recipient.id, ...(activity.recipient.name ? { name: activity.recipient.name } : {}) },
    });
    const reply = textReplyOf(activity);
    const choice = reply ? await findChoice(redis, config.redisKeyPrefix, conversationId, reply) : undefined;
    const events = parseActivity(activity, { channel, receivedAt, choice });
    for (const event of events) await context.accept(event);
    if (events.length === 0) {
      context.logger.debug(
        { channel, type: activity.type },
        'Bot Framework activity with nothing for the bot; answered 200',
      );
    }
  }

  router.post(BOT_FRAMEWORK_PATH, requireToken, readBody, bodyErrors, handle);
}

function tenantOf(activity: InboundActivity): string | undefined {
  const tenant = activity.channelData?.tenant as { id?: unknown } | undefined;
  return typeof tenant?.id === 'string' ? tenant.id : undefined;
}

/** Whether arrays and objects nest deeper than `limit`, found without recursion (so without a stack to overflow). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (!current || typeof current !== 'object') continue;
    if (depth >= limit) return true;
    for (const inner of Object.values(current)) stack.push([inner, depth + 1]);
  }
  return false;
}
