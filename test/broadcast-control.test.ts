/**
 * Pausing, resuming and cancelling a broadcast while the workers send it
 * (one gateway process, all roles, on PostgreSQL; a fake Twilio): a pause
 * stops the sending within a couple of seconds and loses nobody, a resume
 * finishes it with each person once, a cancel stops it and says who was not
 * reached.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addRecipients,
  type BroadcastAction,
  broadcastProgress,
  changeBroadcastStatus,
  createBroadcast,
  type Db,
  getBroadcast,
  importAudience,
  openDb,
} from '@passerelle/core';
import { CAMPAIGN_ID, openCampaignBot } from './support/campaign-bot.js';
import { type FakeTwilio, startFakeTwilio } from './support/fakes/twilio.js';
import { type GatewayProcess, startGateway } from './support/gateway-process.js';
import { zoneWhere } from './support/quiet-zones.js';
import {
  createTempDatabase,
  deletePrefix,
  openRedis,
  postgresSkipReason,
  uniquePrefix,
  waitFor,
} from './support/services.js';

const skip = await postgresSkipReason();
const RATE = 20;
const ACCOUNT = { accountSid: `AC${'c'.repeat(32)}`, authToken: 'control-test-token' };
const FROM = '+33700000077';

describe('pause, resume and cancel while sending', { skip }, () => {
  let twilio: FakeTwilio;
  let gateway: GatewayProcess;
  let database: { url: string; drop(): Promise<void> };
  let db: Db;
  let prefix: string;
  let bot: Awaited<ReturnType<typeof openCampaignBot>>;
  const timeZone = zoneWhere(true, 20) ?? 'Europe/Paris';

  before(async () => {
    twilio = await startFakeTwilio(ACCOUNT);
    bot = await openCampaignBot({ rate: RATE });
    database = await createTempDatabase();
    prefix = uniquePrefix('broadcast-control');
    gateway = await startGateway({
      env: {
        DATABASE_URL: database.url,
        REDIS_KEY_PREFIX: prefix,
        BOT_DIR: bot.dir,
        TWILIO_ACCOUNT_SID: ACCOUNT.accountSid,
        TWILIO_AUTH_TOKEN: ACCOUNT.authToken,
        TWILIO_FROM: FROM,
        TWILIO_API_URL: twilio.url,
        TWILIO_SENDS_PER_SECOND: String(RATE),
      },
    });
    db = await openDb({ databaseUrl: database.url });
  });
  after(async () => {
    await gateway?.stop('SIGKILL');
    await db?.close();
    const redis = openRedis('broadcast-control-cleanup');
    await deletePrefix(redis, prefix);
    await redis.quit();
    await database?.drop();
    await twilio?.close();
    await bot?.remove();
  });

  async function broadcastTo(id: string, first: number, count: number) {
    const where = { channel: 'sms' as const, account: FROM };
    const people = Array.from({ length: count }, (_, i) => `+3367${String(first + i).padStart(7, '0')}`);
    const imported = await importAudience(
      db,
      where,
      people.map((userId) => ({ userId, consent: { kind: 'opt_in' as const } })),
    );
    await createBroadcast(db, { id, campaignId: CAMPAIGN_ID, ...where, ratePerSecond: RATE });
    await addRecipients(
      db,
      id,
      imported.map((person, index) => ({
        seq: index + 1,
        userId: person.userId,
        contactId: person.contactId,
        timeZone,
      })),
    );
    return new Set(people);
  }
  const sentTo = (people: Set<string>) => twilio.attempts.filter((a) => people.has(a.To ?? '')).length;
  const act = (id: string, action: BroadcastAction) => changeBroadcastStatus(db, id, action);

  it('a pause holds, a resume finishes with each person once', async () => {
    const people = await broadcastTo('bc_pause', 0, 120);
    await act('bc_pause', 'send');
    await waitFor('some sends', () => sentTo(people) >= 30, 30_000, 50);
    await act('bc_pause', 'pause');
    // What was already handed over still goes out; then nothing while paused.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const held = sentTo(people);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.equal(sentTo(people), held, 'nothing sent while paused');
    assert.ok(held < people.size, `the pause came before the end (${held} of ${people.size})`);
    const paused = await broadcastProgress(db, 'bc_pause');
    assert.equal(paused.pending, people.size - held, 'whoever was not sent is still pending');

    await act('bc_pause', 'resume');
    await waitFor('the rest', () => sentTo(people) >= people.size, 60_000, 100);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const perPerson = new Map<string, number>();
    for (const attempt of twilio.attempts) perPerson.set(attempt.To ?? '', (perPerson.get(attempt.To ?? '') ?? 0) + 1);
    assert.deepEqual(
      [...people].filter((phone) => perPerson.get(phone) !== 1),
      [],
      'each person exactly once',
    );
    await waitFor('the broadcast is done', async () => (await getBroadcast(db, 'bc_pause'))?.status === 'done');
  });

  it('a cancel stops the sending and says who was not reached', async () => {
    const people = await broadcastTo('bc_cancel', 1000, 200);
    await act('bc_cancel', 'send');
    await waitFor('some sends', () => sentTo(people) >= 20, 30_000, 50);
    await act('bc_cancel', 'cancel');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const sent = sentTo(people);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal(sentTo(people), sent, 'nothing sent after the cancel settled');
    const progress = await broadcastProgress(db, 'bc_cancel');
    assert.equal(progress.pending, 0);
    assert.equal(progress.messaged, sent, 'what was sent is counted as messaged');
    assert.equal(progress.skippedBy.cancelled, people.size - sent, 'the others are counted as cancelled');
  });
});
