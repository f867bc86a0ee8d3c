/**
 * Consent, through a real gateway on PostgreSQL and a web chat visitor:
 * a yes given in the campaign's flow is kept with the campaign as proof; an
 * operator ends it from the console for the customer; START brings it back;
 * every change is in the history the contact's export and `gateway consent
 * export` give, with its source and proof.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Db, openDb } from '@passerelle/core';
import { CAMPAIGN_ID, openCampaignBot } from './support/campaign-bot.js';
import { addOperator, ConsoleClient } from './support/console-client.js';
import { runCliToEnd as cli, type GatewayProcess, startGateway } from './support/gateway-process.js';
import { createTempDatabase, deletePrefix, openRedis, postgresSkipReason, uniquePrefix } from './support/services.js';
import { WebchatVisitor } from './support/webchat-client.js';

const skip = await postgresSkipReason();
const PASSWORD = 'lumiere-operator-2026';

describe('campaign consent: given in a flow, ended by an operator, given back with START', { skip }, () => {
  let gateway: GatewayProcess;
  let database: { url: string; drop(): Promise<void> };
  let db: Db;
  let prefix: string;
  let bot: Awaited<ReturnType<typeof openCampaignBot>>;
  let env: Record<string, string>;
  let visitor: WebchatVisitor;

  before(async () => {
    bot = await openCampaignBot();
    database = await createTempDatabase();
    prefix = uniquePrefix('consent');
    env = { DATABASE_URL: database.url, REDIS_KEY_PREFIX: prefix, BOT_DIR: bot.dir };
    gateway = await startGateway({ env });
    await addOperator(env, { email: 'tom@maison-lumiere.example', name: 'Tom', password: PASSWORD });
    db = await openDb({ databaseUrl: database.url });
  });
  after(async () => {
    visitor?.close();
    await gateway?.stop('SIGKILL');
    await db?.close();
    const redis = openRedis('consent-cleanup');
    await deletePrefix(redis, prefix);
    await redis.quit();
    await database?.drop();
    await bot?.remove();
  });

  it('keeps each change with its source and proof', async () => {
    visitor = await WebchatVisitor.connect(gateway.url, { locale: 'fr' });
    const answered = async (id: string, text: string, expected: RegExp) => {
      const before = visitor.botTexts().length;
      visitor.say(id, text);
      await visitor.waitFor(() =>
        visitor
          .botTexts()
          .slice(before)
          .some((said) => expected.test(said)),
      );
    };
    await answered('consent-m1', 'VIP', /ventes privées Maison Lumière sont ouvertes/);
    await answered('consent-m2', '1', /Voulez-vous être prévenu/);
    await answered('consent-m3', 'Oui', /parmi les premiers prévenus/);

    const { rows } = await db.query<{ contact_id: string }>(
      "select contact_id from channel_identities where channel = 'webchat' and user_id = $1",
      [visitor.visitorId],
    );
    const contactId = rows[0]?.contact_id;
    assert.ok(contactId, 'the visitor is a contact');

    const operator = await ConsoleClient.login(gateway.url, 'tom@maison-lumiere.example', PASSWORD);
    const before = await operator.api('GET', `/console/api/contacts/${contactId}/consent`);
    assert.equal(before.status, 200);
    assert.deepEqual(
      (before.body as { identities: Array<{ state: string }> }).identities.map((i) => i.state),
      ['opted_in'],
    );
    const optOut = await operator.api('POST', `/console/api/contacts/${contactId}/opt-out`, {});
    assert.equal(optOut.status, 200);
    assert.equal((optOut.body as { optedOut: number }).optedOut, 1);
    const again = await operator.api('POST', `/console/api/contacts/${contactId}/opt-out`, {});
    assert.equal((again.body as { optedOut: number }).optedOut, 0, 'a second opt-out changes nothing');
    assert.equal((await operator.api('POST', '/console/api/contacts/ct_nobody/opt-out', {})).status, 404);

    await answered('consent-m4', 'START', /de nouveau abonné/);

    const exported = await operator.api('GET', `/console/api/contacts/${contactId}/export`);
    const history = (exported.body as { consent: Array<Record<string, unknown>> }).consent.map((event) => [
      event.kind,
      event.source,
      event.detail,
    ]);
    assert.deepEqual(history, [
      ['opt_in', 'campaign', `campaign ${CAMPAIGN_ID}`],
      ['opt_out', 'operator', 'operator tom@maison-lumiere.example'],
      ['opt_in', 'keyword', null],
    ]);

    const csv = await cli(['consent', 'export'], env);
    assert.equal(csv.code, 0, csv.stdout);
    const lines = csv.stdout.trim().split('\n');
    assert.equal(lines.length, 4, `a header and three changes:\n${csv.stdout}`);
    assert.match(lines[2] ?? '', /opt_out.*operator.*operator tom@maison-lumiere\.example/);
  });
});
