/**
 * A 10,000-person SMS broadcast of the demo campaign, end to end: a gateway
 * and two worker processes on one Redis and PostgreSQL, a fake Twilio. The
 * list mixes people who said yes, people who said no or wrote STOP, people
 * who never answered, people for whom it is night or Sunday where they live,
 * and people Twilio refuses because they texted STOP to the number itself.
 * Half-way through, the worker dispatching the broadcast is killed (SIGKILL)
 * and another started. At the end, each person who may receive it got it
 * exactly once, nobody else got anything, and Twilio never saw more sends in
 * a second than the configured rate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addRecipients,
  broadcastProgress,
  changeBroadcastStatus,
  createBroadcast,
  type Db,
  importAudience,
  isOptedOut,
  openDb,
} from '@passerelle/core';
import { CAMPAIGN_ID, openCampaignBot } from './support/campaign-bot.js';
import { type Cluster, startCluster } from './support/cluster.js';
import { type FakeTwilio, startFakeTwilio } from './support/fakes/twilio.js';
import { zoneWhere } from './support/quiet-zones.js';
import { postgresSkipReason, waitFor } from './support/services.js';

const skip = await postgresSkipReason();

const PEOPLE = 10_000;
/** Twilio's MPS for the number and the campaign's broadcast rate. */
const RATE = 150;
const ACCOUNT = { accountSid: `AC${'b'.repeat(32)}`, authToken: 'broadcast-test-token' };
const FROM = '+33700000042';
const STOP_NOTICE = 'STOP pour ne plus recevoir nos offres';

/** Zones where sending is allowed (or not) for the next 20 minutes, whatever the test's day and hour. */
function zonesByQuietHours(): { open: string; quiet: string } {
  const open = zoneWhere(true, 20);
  const quiet = zoneWhere(false, 20);
  assert.ok(open && quiet, `need a zone open and one quiet now (open ${open}, quiet ${quiet})`);
  return { open, quiet };
}

interface Person {
  phone: string;
  kind: 'yes' | 'no' | 'stopped' | 'silent' | 'night' | 'twilio-stop';
}

function people(): Person[] {
  const list: Person[] = [];
  for (let i = 0; i < PEOPLE; i++) {
    const phone = `+336${String(10_000_000 + i).padStart(8, '0')}`;
    const slot = i % 100;
    const kind: Person['kind'] =
      slot < 2
        ? 'no'
        : slot < 4
          ? 'stopped'
          : slot < 7
            ? 'silent'
            : slot < 10
              ? 'night'
              : slot === 10
                ? 'twilio-stop'
                : 'yes';
    list.push({ phone, kind });
  }
  return list;
}

describe('a 10,000-person SMS broadcast', { skip }, () => {
  let twilio: FakeTwilio;
  let cluster: Cluster;
  let db: Db;
  let bot: Awaited<ReturnType<typeof openCampaignBot>>;
  const everyone = people();
  const zones = zonesByQuietHours();

  before(async () => {
    twilio = await startFakeTwilio(ACCOUNT);
    bot = await openCampaignBot({ rate: RATE });
    cluster = await startCluster('broadcast', 2, {
      BOT_DIR: bot.dir,
      TWILIO_ACCOUNT_SID: ACCOUNT.accountSid,
      TWILIO_AUTH_TOKEN: ACCOUNT.authToken,
      TWILIO_FROM: FROM,
      TWILIO_API_URL: twilio.url,
      TWILIO_SENDS_PER_SECOND: String(RATE),
      // A dead worker's conversations are taken over in seconds.
      CONVERSATION_LOCK_MS: '2000',
      STALLED_INTERVAL_MS: '1000',
    });
    db = await openDb({ databaseUrl: cluster.databaseUrl });
  });
  after(async () => {
    await db?.close();
    await cluster?.stop();
    await twilio?.close();
    await bot?.remove();
  });

  it('reaches each allowed person exactly once, at the rate, through a killed worker', async () => {
    const where = { channel: 'sms' as const, account: FROM };
    // The list, as a marketer's CSV import records it: the yes and no with their proof.
    const imported = await importAudience(
      db,
      where,
      everyone.map((person, line) => ({
        userId: person.phone,
        phone: person.phone,
        locale: 'fr',
        consent:
          person.kind === 'silent'
            ? undefined
            : {
                kind: person.kind === 'no' ? ('opt_out' as const) : ('opt_in' as const),
                detail: `list.csv:${line + 2}`,
              },
      })),
    );
    assert.equal(imported.length, PEOPLE);
    // Those who wrote STOP after saying yes.
    const { recordOptOut } = await import('@passerelle/core');
    for (const person of everyone.filter((p) => p.kind === 'stopped')) {
      await recordOptOut(db, { ...where, userId: person.phone }, 'keyword');
    }
    for (const person of everyone.filter((p) => p.kind === 'twilio-stop')) twilio.optOut(person.phone);

    const broadcast = await createBroadcast(db, {
      id: 'bc_ten_thousand',
      campaignId: CAMPAIGN_ID,
      channel: 'sms',
      account: FROM,
      ratePerSecond: RATE,
      source: 'list.csv',
    });
    await addRecipients(
      db,
      broadcast.id,
      everyone.map((person, index) => ({
        seq: index + 1,
        userId: person.phone,
        contactId: imported[index]?.contactId as string,
        timeZone: person.kind === 'night' ? zones.quiet : zones.open,
      })),
    );
    await changeBroadcastStatus(db, broadcast.id, 'send');

    const allowed = everyone.filter((p) => p.kind === 'yes' || p.kind === 'twilio-stop');
    const half = Math.floor(allowed.length / 2);
    await waitFor('half of the sends', () => twilio.attempts.length >= half, 120_000, 100);

    // The worker holding the broadcast's lease dies; the other takes it over, and a new one starts.
    const holder = await cluster.redis.get(`${cluster.prefix}:broadcast:{${broadcast.id}}:lease`);
    const victim = cluster.workers.find((worker) => holder?.startsWith(`${worker.child.pid}:`));
    assert.ok(victim, `the lease holder ${holder} is one of the workers`);
    await victim.stop('SIGKILL');
    const killedAt = twilio.attempts.length;
    await cluster.startWorker();

    await waitFor(
      'every recipient handled and every send settled',
      async () => {
        const now = await broadcastProgress(db, broadcast.id);
        // A delivery is 'queued' until the sender takes it, then 'sending', then sent or failed.
        const unsettled = (now.delivery.sending ?? 0) + (now.delivery.queued ?? 0);
        return now.pending === 0 && now.queued === 0 && unsettled === 0;
      },
      240_000,
      500,
    );
    const progress = await broadcastProgress(db, broadcast.id);
    assert.ok(killedAt < allowed.length, `the kill happened half-way (${killedAt} of ${allowed.length})`);

    // Exactly once to each allowed person, nothing to anybody else. Twilio's accepted messages
    // are what people receive. A call Twilio refused (21610: they texted STOP to the number)
    // created nothing, so the worker that takes over from the killed one may rightly try it again
    // when the killed one died before recording the refusal: only refused calls may repeat.
    const countBy = (sends: readonly { To?: string | undefined }[]) => {
      const counts = new Map<string, number>();
      for (const send of sends) counts.set(send.To ?? '', (counts.get(send.To ?? '') ?? 0) + 1);
      return counts;
    };
    const delivered = countBy(twilio.messages);
    const twice = [...delivered].filter(([, count]) => count > 1);
    assert.deepEqual(twice, [], 'nobody got the message twice');
    const yesPhones = new Set(everyone.filter((p) => p.kind === 'yes').map((p) => p.phone));
    const attempted = countBy(twilio.attempts);
    const repeated = [...attempted].filter(([phone, count]) => count > 1 && yesPhones.has(phone));
    assert.deepEqual(repeated, [], 'no accepted message was sent a second time');
    const allowedPhones = new Set(allowed.map((p) => p.phone));
    const strangers = [...attempted.keys()].filter((phone) => !allowedPhones.has(phone));
    assert.deepEqual(strangers, [], 'no opted-out, silent or night-time person got anything');
    assert.equal(attempted.size, allowed.length, 'every allowed person was sent the message');
    assert.equal(delivered.size, yesPhones.size, 'Twilio accepted it for each person who said yes');

    // The figures the marketer sees.
    const count = (kind: Person['kind']) => everyone.filter((p) => p.kind === kind).length;
    assert.equal(progress.total, PEOPLE);
    assert.equal(progress.messaged, allowed.length);
    assert.deepEqual(progress.skippedBy, {
      opted_out: count('no') + count('stopped'),
      no_opt_in: count('silent'),
      quiet_hours: count('night'),
    });
    assert.equal(progress.delivery.sent, count('yes'));
    assert.equal(progress.delivery.failed, count('twilio-stop'));
    // Twilio's "texted STOP" refusals are now opt-outs of ours.
    for (const person of everyone.filter((p) => p.kind === 'twilio-stop').slice(0, 20)) {
      assert.equal(await isOptedOut(db, { ...where, userId: person.phone }), true, person.phone);
    }

    // The message: the campaign's first question, its options numbered, the STOP mention.
    const body = twilio.messages[0]?.Body ?? '';
    assert.match(body, /ventes privées Maison Lumière/);
    assert.match(body, /1\. Suspensions/);
    assert.ok(body.includes(STOP_NOTICE), `the SMS carries the opt-out mention: ${body}`);
    assert.equal(twilio.messages[0]?.From, FROM);

    // Paced: each send books its slot at the rate, 1/RATE s apart, and reaches the fake a few ms
    // later; that delay varies (timers and the event loop of a busy machine), which can bring
    // neighbours closer, so a sliding second may hold a few more than RATE, never many more.
    const times = twilio.attempts.map((attempt) => attempt.at).sort((a, b) => a - b);
    let busiest = 0;
    for (let start = 0, end = 0; end < times.length; end++) {
      while ((times[end] as number) - (times[start] as number) >= 1000) start++;
      busiest = Math.max(busiest, end - start + 1);
    }
    const ceiling = Math.ceil(RATE * 1.05) + 1;
    assert.ok(busiest <= ceiling, `at most ${RATE} sends in a second (${ceiling} with jitter), saw ${busiest}`);
    const seconds = ((times.at(-1) as number) - (times[0] as number)) / 1000;
    assert.ok(
      seconds >= (times.length - 1) / RATE - 0.5,
      `${times.length} sends took ${seconds} s, at least ${(times.length - 1) / RATE} s at ${RATE}/s`,
    );
  });
});
