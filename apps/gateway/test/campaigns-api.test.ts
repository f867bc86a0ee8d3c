/**
 * The campaigns page's API as the page (and a curious operator) meets it: a
 * real express app with the console login and the campaigns router on a real
 * HTTP port, a real Redis for the sessions, PGlite in memory, and a copy of
 * the demo bot folder that the tests edit. Campaign figures come from events
 * recorded as the dialog worker records them; the clock deciding the
 * windows is pinned inside the demo campaign's window.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { jsonErrorHandler } from '@passerelle/channels';
import {
  addRecipients,
  type CampaignEventKind,
  changeBroadcastStatus,
  createBroadcast,
  createLogger,
  createOperator,
  type Db,
  importAudience,
  inboundEvent,
  markRecipients,
  migrate,
  openDb,
  type Redis,
  recordBroadcastOutcome,
  recordCampaignEvent,
  recordInbound,
} from '@passerelle/core';
import { parse } from 'csv-parse/sync';
import express from 'express';
import { ConsoleClient } from '../../../test/support/console-client.js';
import { deletePrefix, openRedis, uniquePrefix } from '../../../test/support/services.js';
import { createConsoleAuth } from '../src/console/auth.js';
import { achievedRate, campaignsApi } from '../src/console/campaigns-api.js';

const CAMPAIGN = 'ventes-privees';
const CAMPAIGN_FILE = `campaigns/${CAMPAIGN}.yaml`;
/** Inside the demo campaign's window (2026-11-20 to 2027-12-31, Paris). */
const NOW = new Date('2027-01-15T10:00:00Z');
const PASSWORD = 'campaigns api password';
const OPERATOR = { email: 'olivia@example.com', name: 'Olivia' };
const MANAGER = { email: 'marc@example.com', name: 'Marc' };

const logLines: string[] = [];
const logger = createLogger({
  level: 'info',
  destination: {
    write(line: string) {
      logLines.push(line);
    },
  },
});

let db: Db;
let redis: Redis;
let prefix: string;
let botDir: string;
let base: string;
let server: { close(): unknown };
let operator: ConsoleClient;
let manager: ConsoleClient;

/** Someone on SMS who wrote once: a contact and a conversation, as the dialog worker leaves them. */
async function person(phone: string): Promise<{ contactId: string; conversationId: string; userId: string }> {
  const [member] = await importAudience(db, { channel: 'sms', account: 'default' }, [{ userId: phone }]);
  assert.ok(member, `contact created for ${phone}`);
  const event = inboundEvent({
    channel: 'sms',
    account: 'default',
    providerMessageId: `SM-${phone}`,
    thread: phone,
    sender: { id: phone },
    receivedAt: new Date('2027-01-14T09:00:00Z'),
    kind: 'message',
    content: { text: 'VIP' },
  });
  await recordInbound(db, event, member.contactId);
  return { contactId: member.contactId, conversationId: event.conversationId, userId: phone };
}

async function record(
  who: { contactId: string; conversationId: string },
  at: string,
  moments: Array<CampaignEventKind | `step:${string}`>,
  channel = 'sms',
) {
  for (const moment of moments) {
    const [kind, node] = moment.split(':') as [CampaignEventKind, string | undefined];
    await recordCampaignEvent(db, {
      campaignId: CAMPAIGN,
      conversationId: who.conversationId,
      contactId: who.contactId,
      channel,
      kind,
      node,
      entry: kind === 'entered' ? (channel === 'sms' ? 'keyword' : 'link') : undefined,
      at: new Date(at),
    });
  }
}

describe('campaigns API of the console', () => {
  before(async () => {
    redis = openRedis('campaigns-api-test');
    prefix = uniquePrefix('campaigns-api');
    db = await openDb({ inMemory: true });
    await migrate(db);
    botDir = await mkdtemp(join(tmpdir(), 'passerelle-campaigns-api-'));
    await cp(fileURLToPath(new URL('../../../bots/demo', import.meta.url)), botDir, { recursive: true });
    await createOperator(db, { ...OPERATOR, password: PASSWORD });
    await createOperator(db, { ...MANAGER, role: 'manager', password: PASSWORD });

    const auth = createConsoleAuth({ db, redis, prefix, secureCookies: false, logger });
    const app = express();
    app.use(auth.router);
    app.use(campaignsApi({ db, botDir, logger, requireOperator: auth.requireOperator, now: () => NOW }));
    app.use(jsonErrorHandler(logger));
    const listening = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listening.once('listening', resolve));
    server = listening;
    base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    operator = await ConsoleClient.login(base, OPERATOR.email, PASSWORD);
    manager = await ConsoleClient.login(base, MANAGER.email, PASSWORD);

    // Three on SMS by keyword the day before, one by link on the web chat today (Paris days).
    const anna = await person('+33611000001');
    const bruno = await person('+33611000002');
    const chloe = await person('+33611000003');
    const dora = await person('+33611000004');
    await record(anna, '2027-01-14T10:00:00Z', [
      'entered',
      'step:annonce',
      'step:code',
      'converted',
      'step:alertes',
      'step:inscription',
      'step:inscrit',
      'completed',
    ]);
    await record(bruno, '2027-01-14T11:00:00Z', ['entered', 'step:annonce', 'step:code', 'converted', 'step:alertes']);
    await record(bruno, '2027-01-14T11:05:00Z', ['opted_out']);
    await record(chloe, '2027-01-14T12:00:00Z', ['entered', 'step:annonce']);
    await record(dora, '2027-01-15T09:00:00Z', ['entered', 'step:annonce', 'handoff'], 'webchat');
  });

  after(async () => {
    server?.close();
    await deletePrefix(redis, prefix);
    await redis.quit();
    await db.close();
    await rm(botDir, { recursive: true, force: true });
  });

  it('refuses everything without a session (401)', async () => {
    for (const path of [
      '/console/api/campaigns',
      `/console/api/campaigns/${CAMPAIGN}/results`,
      '/console/api/broadcasts',
    ]) {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 401, `${path} without a session`);
      assert.deepEqual(await response.json(), { error: 'log in first' }, `${path} says why`);
    }
  });

  it('lists the bot folder’s campaigns with their window state and totals, titles in the asked language', async () => {
    const answer = await operator.api('GET', '/console/api/campaigns');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.headers.get('cache-control'), 'no-store', 'live figures are not cached');
    assert.deepEqual(answer.body.campaigns, [
      {
        summary: {
          id: CAMPAIGN,
          title: 'Ventes privées',
          state: 'open',
          opensAt: '2026-11-20T08:00:00.000Z',
          closesAt: '2027-12-31T19:00:00.000Z',
          timeZone: 'Europe/Paris',
          channels: ['sms', 'whatsapp', 'telegram', 'messenger', 'webchat'],
          flow: CAMPAIGN,
          goal: 'code',
        },
        totals: {
          entered: 4,
          completed: 1,
          converted: 2,
          handoff: 1,
          opted_out: 1,
          completionRate: 0.25,
          conversionRate: 0.5,
        },
      },
    ]);
    const english = await operator.api('GET', '/console/api/campaigns?lang=en');
    const [first] = english.body.campaigns as Array<{ summary: { title: string } }>;
    assert.equal(first?.summary.title, 'Private sales', 'lang=en gives the English title');
  });

  it('gives a campaign’s results: by day (Paris), channel, entry, and steps in the flow’s order with drop-off', async () => {
    const answer = await operator.api('GET', `/console/api/campaigns/${CAMPAIGN}/results`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const counts = (entered: number, completed: number, converted: number, handoff: number, opted_out: number) => ({
      entered,
      completed,
      converted,
      handoff,
      opted_out,
    });
    assert.equal(answer.body.campaignId, CAMPAIGN);
    assert.deepEqual(answer.body.byDay, [
      { day: '2027-01-14', ...counts(3, 1, 2, 0, 1) },
      { day: '2027-01-15', ...counts(1, 0, 0, 1, 0) },
    ]);
    assert.deepEqual(answer.body.byChannel, [
      { channel: 'sms', ...counts(3, 1, 2, 0, 1) },
      { channel: 'webchat', ...counts(1, 0, 0, 1, 0) },
    ]);
    assert.deepEqual(answer.body.byEntry, [
      { entry: 'keyword', entered: 3 },
      { entry: 'link', entered: 1 },
    ]);
    assert.deepEqual(answer.body.steps, [
      { node: 'annonce', reached: 4, dropped: 2 },
      { node: 'code', reached: 2, dropped: 0 },
      { node: 'alertes', reached: 2, dropped: 1 },
      { node: 'inscription', reached: 1, dropped: 0 },
      { node: 'inscrit', reached: 1, dropped: 0 },
    ]);
    assert.deepEqual(
      (answer.body.summary as { id: string; state: string }).state,
      'open',
      'the summary comes with the results',
    );
  });

  it('answers 404 with the reason for a campaign the bot folder does not have', async () => {
    for (const path of ['/console/api/campaigns/soldes-ete/results', '/console/api/campaigns/soldes-ete/results.csv']) {
      const answer = await operator.api('GET', path);
      assert.equal(answer.status, 404, path);
      assert.deepEqual(answer.body, { error: `no campaign "soldes-ete" in the bot folder (campaigns: ${CAMPAIGN})` });
    }
  });

  it('downloads the results as a CSV attachment: totals, days, channels, entries, steps', async () => {
    const answer = await operator.api('GET', `/console/api/campaigns/${CAMPAIGN}/results.csv`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(answer.headers.get('content-disposition'), `attachment; filename="${CAMPAIGN}-results.csv"`);
    const rows = parse(String(answer.body.raw)) as string[][];
    assert.deepEqual(rows, [
      [
        'section',
        'key',
        'entered',
        'completed',
        'converted',
        'handoff',
        'opted_out',
        'completion_rate',
        'conversion_rate',
        'reached',
        'dropped',
      ],
      ['total', CAMPAIGN, '4', '1', '2', '1', '1', '0.25', '0.5', '', ''],
      ['day', '2027-01-14', '3', '1', '2', '0', '1', '', '', '', ''],
      ['day', '2027-01-15', '1', '0', '0', '1', '0', '', '', '', ''],
      ['channel', 'sms', '3', '1', '2', '0', '1', '', '', '', ''],
      ['channel', 'webchat', '1', '0', '0', '1', '0', '', '', '', ''],
      ['entry', 'keyword', '3', '', '', '', '', '', '', '', ''],
      ['entry', 'link', '1', '', '', '', '', '', '', '', ''],
      ['step', 'annonce', '', '', '', '', '', '', '', '4', '2'],
      ['step', 'code', '', '', '', '', '', '', '', '2', '0'],
      ['step', 'alertes', '', '', '', '', '', '', '', '2', '1'],
      ['step', 'inscription', '', '', '', '', '', '', '', '1', '0'],
      ['step', 'inscrit', '', '', '', '', '', '', '', '1', '0'],
    ]);
  });

  describe('broadcasts', () => {
    let broadcastId: string;

    before(async () => {
      const people = await Promise.all(['+33622000001', '+33622000002', '+33622000003'].map(person));
      const broadcast = await createBroadcast(db, {
        id: 'bc_api_test',
        campaignId: CAMPAIGN,
        channel: 'sms',
        account: 'default',
        ratePerSecond: 5,
        createdBy: 'test',
      });
      broadcastId = broadcast.id;
      await addRecipients(
        db,
        broadcastId,
        people.map((who, seq) => ({ seq, userId: who.userId, contactId: who.contactId })),
      );
      // Another campaign's broadcast, which the campaign filter leaves out.
      await createBroadcast(db, {
        id: 'bc_other',
        campaignId: 'soldes',
        channel: 'sms',
        account: 'default',
        ratePerSecond: 1,
      });
    });

    it('lists a campaign’s broadcasts with their progress; a draft has no rate yet', async () => {
      const answer = await operator.api('GET', `/console/api/broadcasts?campaign=${CAMPAIGN}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const list = answer.body.broadcasts as Array<{
        broadcast: { id: string; status: string; campaignId: string };
        progress: Record<string, unknown>;
        achievedRate: number | null;
      }>;
      assert.deepEqual(
        list.map((item) => item.broadcast.id),
        [broadcastId],
        'only this campaign’s broadcasts',
      );
      assert.equal(list[0]?.broadcast.status, 'draft');
      assert.deepEqual(list[0]?.progress, {
        total: 3,
        pending: 3,
        queued: 0,
        messaged: 0,
        skipped: 0,
        skippedBy: {},
        delivery: {},
        messagedSpan: null,
      });
      assert.equal(list[0]?.achievedRate, null, 'a broadcast that has not started has no rate');
      const all = await operator.api('GET', '/console/api/broadcasts');
      assert.equal((all.body.broadcasts as unknown[]).length, 2, 'without a filter, every broadcast');
    });

    it('gives one broadcast with its progress as the dispatcher and the worker move it on, and its rate', async () => {
      await changeBroadcastStatus(db, broadcastId, 'send');
      await markRecipients(db, broadcastId, [
        { seq: 0, status: 'queued' },
        { seq: 1, status: 'skipped', reason: 'opted_out' },
      ]);
      await recordBroadcastOutcome(db, broadcastId, '+33622000001', { skipped: 'in_a_conversation' });
      const answer = await operator.api('GET', `/console/api/broadcasts/${broadcastId}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal((answer.body.broadcast as { status: string }).status, 'running');
      assert.deepEqual(answer.body.progress, {
        total: 3,
        pending: 1,
        queued: 0,
        messaged: 0,
        skipped: 2,
        skippedBy: { in_a_conversation: 1, opted_out: 1 },
        delivery: {},
        messagedSpan: null,
      });
      assert.equal(answer.body.achievedRate, null, 'two skipped, none messaged yet: no rate to measure');

      const missing = await operator.api('GET', '/console/api/broadcasts/bc_nope');
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.body, { error: 'no such broadcast' });
    });

    it('lets only managers pause, resume and cancel (403 with the reason for an operator)', async () => {
      for (const action of ['pause', 'resume', 'cancel']) {
        const answer = await operator.api('POST', `/console/api/broadcasts/${broadcastId}/${action}`, {});
        assert.equal(answer.status, 403, `${action} by an operator`);
        assert.deepEqual(answer.body, { error: 'only a manager may do this' });
      }
      const still = await operator.api('GET', `/console/api/broadcasts/${broadcastId}`);
      assert.equal((still.body.broadcast as { status: string }).status, 'running', 'nothing changed');
    });

    it('pauses, resumes and cancels for a manager; a refused change is 409 with the reason, an unknown one 404', async () => {
      const act = (action: string, id = broadcastId) =>
        manager.api('POST', `/console/api/broadcasts/${id}/${action}`, {});
      const resume = await act('resume');
      assert.equal(resume.status, 409, 'a running broadcast cannot be resumed');
      assert.deepEqual(resume.body, {
        error: `cannot resume broadcast ${broadcastId}: it is running (resume works when it is paused)`,
      });

      const paused = await act('pause');
      assert.equal(paused.status, 200, JSON.stringify(paused.body));
      assert.equal((paused.body.broadcast as { status: string }).status, 'paused');
      assert.equal((paused.body.progress as { total: number }).total, 3, 'the answer carries the progress');

      const resumed = await act('resume');
      assert.equal((resumed.body.broadcast as { status: string }).status, 'running');

      const cancelled = await act('cancel');
      assert.equal(cancelled.status, 200);
      const cancelledBroadcast = cancelled.body.broadcast as { status: string; finishedAt: string | null };
      assert.equal(cancelledBroadcast.status, 'cancelled');
      assert.ok(cancelledBroadcast.finishedAt, 'a cancelled broadcast has its end time');

      const again = await act('cancel');
      assert.equal(again.status, 409);
      assert.deepEqual(again.body, {
        error: `cannot cancel broadcast ${broadcastId}: it is cancelled (cancel works when it is draft or running or paused)`,
      });

      const unknown = await act('pause', 'bc_nope');
      assert.equal(unknown.status, 404);
      assert.deepEqual(unknown.body, { error: 'no broadcast bc_nope' });

      // Sent without a JSON body (as a cross-site form would be): refused before anything changes.
      const notJson = await manager.api('POST', `/console/api/broadcasts/${broadcastId}/pause`);
      assert.equal(notJson.status, 415, 'a change must be sent as JSON');

      assert.ok(
        logLines.some(
          (line) => line.includes('"action":"cancel"') && line.includes('broadcast cancelled from the console'),
        ),
        'who changed a broadcast is logged',
      );
    });
  });

  it('sees an edited campaign file at the next request, and keeps the last good version of a broken one', async () => {
    const path = join(botDir, CAMPAIGN_FILE);
    const original = await readFile(path, 'utf8');
    await writeFile(
      path,
      original.replace('fr: Ventes privées, en: Private sales', 'fr: Ventes privées VIP, en: VIP sales'),
    );
    // A campaign added next to it, whose window is still to come.
    await writeFile(
      join(botDir, 'flows', 'soldes-ete.yaml'),
      "id: soldes-ete\ntitle: { fr: Soldes d'été, en: Summer sales }\nstart: bienvenue\nnodes:\n  bienvenue:\n    end: { fr: Bientôt !, en: Soon! }\n",
    );
    await writeFile(
      join(botDir, 'campaigns', 'soldes-ete.yaml'),
      "id: soldes-ete\ntitle: { fr: Soldes d'été, en: Summer sales }\nwindow: { start: '2027-06-24 08:00', end: '2027-07-21 20:00' }\nflow: soldes-ete\nentry: { keywords: [SOLDES ETE] }\n",
    );
    const edited = await operator.api('GET', '/console/api/campaigns');
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    const summaries = (edited.body.campaigns as Array<{ summary: { id: string; title: string; state: string } }>).map(
      (item) => item.summary,
    );
    assert.deepEqual(
      summaries.map(({ id, title, state }) => ({ id, title, state })),
      [
        { id: CAMPAIGN, title: 'Ventes privées VIP', state: 'open' },
        { id: 'soldes-ete', title: "Soldes d'été", state: 'before' },
      ],
      'the edit and the new campaign show, the open one first',
    );
    const empty = await operator.api('GET', '/console/api/campaigns/soldes-ete/results');
    assert.deepEqual(
      (empty.body.totals as Record<string, number>).entered,
      0,
      'a campaign nobody entered has its results, all zero',
    );

    await writeFile(path, `${original}\nwindow: [this is: not valid`);
    const broken = await operator.api('GET', '/console/api/campaigns');
    assert.equal(broken.status, 200, 'a mistake in the folder does not take the page down');
    const titles = (broken.body.campaigns as Array<{ summary: { title: string } }>).map((item) => item.summary.title);
    assert.deepEqual(titles, ['Ventes privées VIP', "Soldes d'été"], 'the last good version stays');
    assert.equal(
      logLines.filter((line) => line.includes('the last good version stays')).length,
      1,
      'the mistake is logged once',
    );
    await operator.api('GET', '/console/api/campaigns');
    assert.equal(
      logLines.filter((line) => line.includes('the last good version stays')).length,
      1,
      'and not again while the folder stays as it is',
    );
  });

  it('computes the achieved rate from the gaps between the first and the last message', () => {
    const startedAt = new Date('2027-01-15T10:00:00Z');
    const span = (seconds: number) => ({ first: startedAt, last: new Date(startedAt.getTime() + seconds * 1000) });
    assert.equal(achievedRate({ messaged: 0, messagedSpan: null }), null);
    assert.equal(achievedRate({ messaged: 1, messagedSpan: span(0) }), null, 'one message: nothing to measure');
    assert.equal(achievedRate({ messaged: 51, messagedSpan: span(10) }), 5, '50 gaps in 10 s');
    assert.equal(achievedRate({ messaged: 21, messagedSpan: span(8) }), 2.5);
  });
});
