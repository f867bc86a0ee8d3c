/**
 * "By changing config only": the demo bot's own scripted conversations
 * (bots/demo/tests) pass with its orders in Shopify, its calendar in Cal.com
 * and its CRM in HubSpot (fakes of their APIs on 127.0.0.1, holding the same
 * shop as seed.yaml), the only change being bot.yaml's `connectors:`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type FakeCalcom, startFakeCalcom } from '../packages/crm-connectors/test/fakes/calcom.js';
import { type FakeHubspot, startFakeHubspot } from '../packages/crm-connectors/test/fakes/hubspot.js';
import { type FakeShopify, startFakeShopify } from '../packages/crm-connectors/test/fakes/shopify.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DAY = 86_400_000;

describe('the demo bot on real connectors, by configuration only', () => {
  let botDir: string;
  let shopify: FakeShopify;
  let calcom: FakeCalcom;
  let hubspot: FakeHubspot;

  before(async () => {
    const now = Date.now();
    // The orders of seed.yaml that the scripts ask about, as Shopify holds them.
    shopify = await startFakeShopify({
      accessToken: 'shpat_test',
      customers: [{ id: 1, email: 'zoe@example.com', phone: '+33600000001' }],
      orders: [
        {
          name: 'ML-10234',
          createdAt: new Date(now - 3 * DAY).toISOString(),
          customerId: 1,
          displayFinancialStatus: 'PAID',
          displayFulfillmentStatus: 'FULFILLED',
          total: '129.00',
          currency: 'EUR',
          fulfillments: [
            {
              displayStatus: 'IN_TRANSIT',
              tracking: [
                {
                  company: 'Colissimo',
                  number: '6A10234000017',
                  url: 'https://www.laposte.fr/outils/suivre-vos-envois?code=6A10234000017',
                },
              ],
            },
          ],
        },
        {
          name: 'ML-10311',
          createdAt: new Date(now - 5 * 3_600_000).toISOString(),
          customerId: 1,
          displayFinancialStatus: 'PAID',
          displayFulfillmentStatus: 'UNFULFILLED',
          total: '89.00',
          currency: 'EUR',
        },
        {
          name: 'ML-10198',
          createdAt: new Date(now - 20 * DAY).toISOString(),
          customerId: 1,
          displayFinancialStatus: 'PAID',
          displayFulfillmentStatus: 'FULFILLED',
          total: '69.00',
          currency: 'EUR',
          fulfillments: [{ displayStatus: 'DELIVERED', deliveredAt: new Date(now - 15 * DAY).toISOString() }],
        },
      ],
    });
    // The showroom's hours of seed.yaml as a Cal.com event type; the scripts' clock starts on 22 November 2026.
    calcom = await startFakeCalcom({
      apiKey: 'cal_test',
      now: () => new Date('2026-11-22T00:00:00Z'),
      eventTypes: [
        {
          id: 501,
          slug: 'showroom-visit',
          title: 'Visite du showroom',
          lengthInMinutes: 45,
          schedule: { timeZone: 'Europe/Paris', hours: [{ days: [2, 3, 4, 5, 6], from: '10:00', to: '18:00' }] },
        },
        {
          id: 502,
          slug: 'lighting-advice',
          title: 'Conseil en visio',
          lengthInMinutes: 30,
          schedule: { timeZone: 'Europe/Paris', hours: [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '17:00' }] },
        },
      ],
    });

    hubspot = await startFakeHubspot({ token: 'pat-test' });

    botDir = await mkdtemp(join(tmpdir(), 'passerelle-real-connectors-'));
    await cp(join(ROOT, 'bots/demo'), botDir, { recursive: true });
    const botYaml = await readFile(join(botDir, 'bot.yaml'), 'utf8');
    const connectors = [
      'connectors:',
      '  orders:',
      '    type: shopify',
      '    store: maison-lumiere.myshopify.com',
      `    base_url: ${shopify.url}`,
      '    access_token: { env: SHOPIFY_ADMIN_TOKEN }',
      '  bookings:',
      '    type: calcom',
      `    base_url: ${calcom.url}`,
      '    api_key: { env: CALCOM_API_KEY }',
      '    services: { showroom-visit: 501, lighting-advice: 502 }',
      '    default_attendee_email: rdv@maison-lumiere.example',
      '  crm:',
      '    type: hubspot',
      `    base_url: ${hubspot.url}`,
      '    token: { env: HUBSPOT_TOKEN }',
      '',
    ].join('\n');
    const replaced = botYaml.replace(/connectors:\n(?: {2}.*\n)+/, connectors);
    assert.notEqual(replaced, botYaml, 'the connectors section of bot.yaml was not found');
    await writeFile(join(botDir, 'bot.yaml'), replaced);
  });

  after(async () => {
    await shopify?.close();
    await calcom?.close();
    await hubspot?.close();
    await rm(botDir, { recursive: true, force: true });
  });

  it('passes the demo bot’s conversations against Shopify, Cal.com and HubSpot', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SHOPIFY_ADMIN_TOKEN: 'shpat_test',
      CALCOM_API_KEY: 'cal_test',
      HUBSPOT_TOKEN: 'pat-test',
    };
    for (const key of Object.keys(env)) if (key.startsWith('NODE_TEST') || key === 'NODE_OPTIONS') delete env[key];
    const cli = ['--conditions=@passerelle/source', '--import', 'tsx', join(ROOT, 'apps/gateway/src/cli.ts')];
    const files = ['order-status.yaml', 'booking.yaml', 'faq-and-commands.yaml'].map((name) =>
      join(botDir, 'tests', name),
    );
    const { stdout } = await run(process.execPath, [...cli, 'chat', '--bot-dir', botDir, '--test', ...files], {
      cwd: ROOT,
      env,
    }).catch((error: { stdout: string; stderr: string }) => {
      throw new Error(`chat --test failed:\n${error.stdout}\n${error.stderr}`);
    });
    assert.match(stdout, /\n13 passed, 0 failed\n/, stdout);

    // The answers came from the fakes, not from the demo shop.
    // One lookup per number the scripts type: ML-10234, ML-10311, ML-99999 (not found), ML-10198.
    assert.equal(shopify.calls.length, 4, `Shopify was asked ${shopify.calls.length} times`);
    const showroom = calcom.bookings.filter((booking) => booking.eventTypeId === 501);
    assert.deepEqual(
      showroom.map((booking) => booking.start),
      ['2026-11-24T09:45:00.000Z'],
      'the booking conversation booked Tuesday 10:45 in Paris',
    );
    // "Leave a message" became a support case (a HubSpot ticket) on the contact found or created by email.
    const tickets = [...hubspot.objects.tickets.values()].map((ticket) => ticket.properties.subject);
    assert.equal(tickets.length, 1, `HubSpot tickets: ${JSON.stringify(tickets)}`);
    assert.match(String(tickets[0]), /^T-[A-Z2-9]{6} : Proposez-vous des abat-jour sur mesure \?$/);
    const contacts = [...hubspot.objects.contacts.values()].map((contact) => contact.properties.email);
    assert.deepEqual(contacts, ['zoe@example.com']);
  });
});
