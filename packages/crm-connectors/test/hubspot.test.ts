/** The hubspot connector against a fake HubSpot CRM API v3 (test/fakes/hubspot.ts). */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Db } from '@passerelle/core';
import {
  ConnectorConfigError,
  type ConnectorContext,
  ConnectorHttpError,
  type CrmConnector,
  openConnectors,
  registerConnector,
} from '@passerelle/crm-connectors';
import { crmContract } from '@passerelle/crm-connectors/contract';
import { hubspotConnector } from '../src/hubspot/definition.js';
import { type FakeHubspot, startFakeHubspot } from './fakes/hubspot.js';

// Every assert.ok here has a message: without one, node builds it by re-reading the source at the
// failing column, which on tsx's one-line output can spin for minutes instead of failing.

registerConnector(hubspotConnector);

const NOW = new Date('2027-03-01T08:00:00Z');
/** The connector never touches the database; the registry's context just has one. */
const NO_DB = {} as Db;
const CONTACT_PROPERTIES = [
  'email',
  'firstname',
  'lastname',
  'phone',
  'mobilephone',
  'company',
  'jobtitle',
  'lifecyclestage',
  'hs_language',
  'city',
  'country',
];
const SEARCH = '/crm/v3/objects/contacts/search';

function context(env: Record<string, string | undefined>): ConnectorContext {
  return { db: NO_DB, botDir: '.', env, now: () => NOW };
}

/** The connector as create() makes it, without the registry's retries and cache: every call reaches the fake. */
async function direct(fake: FakeHubspot, settings: Record<string, unknown> = {}): Promise<CrmConnector> {
  const parsed = hubspotConnector.settings.parse({ token: { env: 'HUBSPOT_TOKEN' }, base_url: fake.url, ...settings });
  const { crm } = await hubspotConnector.create(parsed, context({ HUBSPOT_TOKEN: fake.token }));
  assert.ok(crm, 'the hubspot connector gave no crm connector');
  return crm;
}

/** Through bot.yaml's path: openConnectors with its retries, breaker and cache. */
async function opened(
  fake: FakeHubspot,
  env: Record<string, string | undefined> = { HUBSPOT_TOKEN: fake.token },
): Promise<CrmConnector> {
  const { crm } = await openConnectors(
    { crm: { type: 'hubspot', token: { env: 'HUBSPOT_TOKEN' }, base_url: fake.url, retries: 2 } },
    { db: NO_DB, botDir: '.', env, now: () => NOW },
  );
  assert.ok(crm, 'openConnectors gave no crm connector');
  return crm;
}

const last = (fake: FakeHubspot) => fake.requests.at(-1);

function lastBody<T>(fake: FakeHubspot): T {
  const request = fake.requests.at(-1);
  assert.ok(request, 'no request was sent');
  return request.body as T;
}

crmContract('hubspot', async () => {
  const fake = await startFakeHubspot();
  fake.seedContact({
    email: 'camille.roux@example.com',
    firstname: 'Camille',
    lastname: 'Roux',
    phone: '+33639980491',
  });
  return {
    crm: await direct(fake),
    existing: { email: 'camille.roux@example.com', phone: '+33639980491' },
    newEmail: 'new.customer@example.com',
    close: () => fake.close(),
  };
});

describe('hubspot settings', () => {
  it('defaults to the real API, deals, and HubSpot’s default pipelines; YAML numbers are ids', () => {
    const settings = hubspotConnector.settings.parse({ token: { env: 'HUBSPOT_TOKEN' } });
    assert.equal(settings.base_url, 'https://api.hubapi.com');
    assert.equal(settings.lead_object, 'deals');
    assert.deepEqual(
      [settings.deal_pipeline, settings.deal_stage, settings.ticket_pipeline, settings.ticket_stage],
      ['default', 'appointmentscheduled', '0', '1'],
    );
    assert.equal(settings.owner_id, undefined);
    const numeric = hubspotConnector.settings.parse({ token: { env: 'T' }, ticket_pipeline: 0, owner_id: 12345 });
    assert.equal(numeric.ticket_pipeline, '0');
    assert.equal(numeric.owner_id, '12345');
    assert.equal(hubspotConnector.settings.safeParse({ token: { env: 'T' }, lead_object: 'leads' }).success, false);
    assert.equal(hubspotConnector.settings.safeParse({ token: { env: 'T' }, pipeline: 'x' }).success, false);
  });

  it('refuses a token written in bot.yaml, without repeating it', async () => {
    await assert.rejects(
      openConnectors({ crm: { type: 'hubspot', token: 'pat-na1-inline-secret' } }, { db: NO_DB, botDir: '.', env: {} }),
      (error) => {
        assert.ok(error instanceof ConnectorConfigError, `not a ConnectorConfigError: ${String(error)}`);
        assert.equal(error.path, 'connectors.crm.token');
        assert.match(error.message, /\{ env: NAME \}/);
        assert.ok(!error.message.includes('pat-na1-inline-secret'), 'the message repeats the secret');
        return true;
      },
    );
  });

  it('says which variable is missing when HUBSPOT_TOKEN is not set', async () => {
    await assert.rejects(
      openConnectors(
        { crm: { type: 'hubspot', token: { env: 'HUBSPOT_TOKEN' } } },
        { db: NO_DB, botDir: '.', env: {} },
      ),
      (error) => {
        assert.ok(error instanceof ConnectorConfigError, `not a ConnectorConfigError: ${String(error)}`);
        assert.equal(error.path, 'connectors.crm.token');
        assert.match(error.message, /HUBSPOT_TOKEN is not set/);
        return true;
      },
    );
  });
});

describe('hubspot requests', () => {
  let fake: FakeHubspot;
  let crm: CrmConnector;
  let camille: string;
  beforeEach(async () => {
    fake = await startFakeHubspot();
    camille = fake.seedContact({
      email: 'camille.roux@example.com',
      firstname: 'Camille',
      lastname: 'Roux',
      mobilephone: '+33639980491',
      company: 'Maison Roux',
    }).id;
    crm = await direct(fake);
  });
  afterEach(() => fake.close());

  it('finds by email with one search: EQ on the lower-cased email, with the bearer token', async () => {
    const found = await crm.findContact({ email: '  Camille.Roux@Example.COM ' });
    assert.deepEqual(found, {
      id: camille,
      firstName: 'Camille',
      lastName: 'Roux',
      email: 'camille.roux@example.com',
      phone: '+33639980491',
      fields: { mobilephone: '+33639980491', company: 'Maison Roux' },
    });
    assert.equal(fake.requests.length, 1);
    const request = last(fake);
    assert.equal(request?.method, 'POST');
    assert.equal(request?.path, SEARCH);
    assert.equal(request?.authorization, `Bearer ${fake.token}`);
    assert.deepEqual(request?.body, {
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: 'camille.roux@example.com' }] }],
      properties: CONTACT_PROPERTIES,
      sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }],
      limit: 10,
    });
  });

  it('finds by phone on phone or mobilephone, in E.164', async () => {
    const found = await crm.findContact({ phone: '+33 6 39 98 04 91' });
    assert.equal(found?.id, camille);
    assert.deepEqual(lastBody<{ filterGroups: unknown }>(fake).filterGroups, [
      { filters: [{ propertyName: 'phone', operator: 'EQ', value: '+33639980491' }] },
      { filters: [{ propertyName: 'mobilephone', operator: 'EQ', value: '+33639980491' }] },
    ]);
  });

  it('finds by an SMS or WhatsApp identity’s number; other identities find no one without a call', async () => {
    const bySms = await crm.findContact({ identity: { channel: 'sms', account: 'shop', userId: '+33639980491' } });
    assert.equal(bySms?.id, camille);
    const byWhatsapp = await crm.findContact({
      identity: { channel: 'whatsapp', account: 'shop', userId: 'whatsapp:+33639980491' },
    });
    assert.equal(byWhatsapp?.id, camille);
    const before = fake.requests.length;
    const byWebchat = await crm.findContact({ identity: { channel: 'webchat', account: 'site', userId: 'v_1' } });
    assert.equal(byWebchat, undefined);
    assert.equal(fake.requests.length, before, 'a webchat identity was searched for');
  });

  it('prefers the email’s contact when the email and the phone find different people', async () => {
    const other = fake.seedContact({ email: 'other@example.com', phone: '+33600000009' }).id;
    const found = await crm.findContact({ email: 'camille.roux@example.com', phone: '+33600000009' });
    assert.equal(found?.id, camille);
    assert.equal((await crm.findContact({ email: 'nobody@example.com', phone: '+33600000009' }))?.id, other);
  });

  it('updates by id with a PATCH of only the fields given', async () => {
    const updated = await crm.upsertContact({ id: camille, lastName: 'Martin-Roux' });
    assert.deepEqual(
      fake.requests.map((r) => `${r.method} ${r.path}`),
      [`PATCH /crm/v3/objects/contacts/${camille}`],
    );
    assert.deepEqual(last(fake)?.body, { properties: { lastname: 'Martin-Roux' } });
    assert.equal(updated.lastName, 'Martin-Roux');
    assert.equal(updated.firstName, 'Camille', 'the first name is not in the answer');
    assert.equal(fake.objects.contacts.get(camille)?.properties.company, 'Maison Roux', 'a field not given changed');
  });

  it('without an id, updates the contact with that email: search, then PATCH, no create', async () => {
    const updated = await crm.upsertContact({ email: 'CAMILLE.ROUX@example.com', phone: '06 39 98 04 91' });
    assert.equal(updated.id, camille);
    assert.deepEqual(
      fake.requests.map((r) => `${r.method} ${r.path}`),
      [`POST ${SEARCH}`, `PATCH /crm/v3/objects/contacts/${camille}`],
    );
    // A national number is written as given: without the country it cannot be made E.164.
    assert.deepEqual(last(fake)?.body, {
      properties: { email: 'camille.roux@example.com', phone: '06 39 98 04 91' },
    });
  });

  it('creates an unknown person with a POST, and updates instead when HubSpot says the email exists (409)', async () => {
    const created = await crm.upsertContact({ email: 'zoe@example.com', firstName: 'Zoé', phone: '+33 6 12 34 56 78' });
    assert.deepEqual(last(fake)?.body, {
      properties: { email: 'zoe@example.com', firstname: 'Zoé', phone: '+33612345678' },
    });
    assert.equal(fake.objects.contacts.get(created.id)?.properties.firstname, 'Zoé');
    // Just created elsewhere: not in search results yet, so the create collides.
    const fresh = fake.seedContact({ email: 'late@example.com', firstname: 'Late' }, { indexed: false }).id;
    const count = fake.objects.contacts.size;
    const updated = await crm.upsertContact({ email: 'late@example.com', lastName: 'Comer' });
    assert.equal(updated.id, fresh);
    assert.equal(fake.objects.contacts.size, count, 'a duplicate contact was made');
    assert.equal(fake.objects.contacts.get(fresh)?.properties.lastname, 'Comer');
    assert.deepEqual(
      fake.requests.slice(-3).map((r) => `${r.method} ${r.path}`),
      [`POST ${SEARCH}`, 'POST /crm/v3/objects/contacts', `PATCH /crm/v3/objects/contacts/${fresh}`],
    );
  });

  it('reads and writes the contact_fields properties, and writes no field it does not know', async () => {
    const withTier = await direct(fake, { contact_fields: ['tier'] });
    await withTier.upsertContact({ id: camille, fields: { tier: 'gold', favourite_colour: 'blue' } });
    assert.deepEqual(last(fake)?.body, { properties: { tier: 'gold' } });
    const found = await withTier.findContact({ email: 'camille.roux@example.com' });
    assert.equal(found?.fields?.tier, 'gold');
    assert.ok(
      lastBody<{ properties: string[] }>(fake).properties.includes('tier'),
      'tier is not asked for in the search',
    );
  });

  it('records a lead as a deal in the default pipeline, associated to the contact (type 3)', async () => {
    const contact = { id: 'ct_1', email: 'camille.roux@example.com', name: 'Camille Roux' };
    const { id } = await crm.recordLead({ contact, subject: 'Quote for 12 lamps', details: 'Brass, for a hotel' });
    const request = last(fake);
    assert.equal(`${request?.method} ${request?.path}`, 'POST /crm/v3/objects/deals');
    assert.deepEqual(request?.body, {
      properties: {
        dealname: 'Quote for 12 lamps',
        description: 'Brass, for a hotel',
        pipeline: 'default',
        dealstage: 'appointmentscheduled',
      },
      associations: [
        { to: { id: camille }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] },
      ],
    });
    assert.deepEqual(fake.objects.deals.get(id)?.associations, [
      { toObjectType: 'contacts', toObjectId: camille, associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 },
    ]);
  });

  it('records a case as a ticket in pipeline 0 stage 1, associated to the contact (type 16)', async () => {
    const contact = { id: 'ct_1', phone: '+33639980491' };
    const { id } = await crm.recordLead({ contact, subject: 'Broken shade', details: 'Arrived cracked', kind: 'case' });
    assert.deepEqual(last(fake)?.body, {
      properties: { subject: 'Broken shade', content: 'Arrived cracked', hs_pipeline: '0', hs_pipeline_stage: '1' },
      associations: [
        { to: { id: camille }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 16 }] },
      ],
    });
    assert.equal(last(fake)?.path, '/crm/v3/objects/tickets');
    assert.equal(fake.objects.tickets.get(id)?.associations[0]?.toObjectId, camille);
  });

  it('follows lead_object, the pipeline and stage settings and owner_id', async () => {
    const tickets = await direct(fake, { lead_object: 'tickets', ticket_stage: 2, owner_id: 12345 });
    await tickets.recordLead({ contact: { id: 'ct_1', email: 'camille.roux@example.com' }, subject: 'Call me back' });
    assert.equal(last(fake)?.path, '/crm/v3/objects/tickets');
    assert.deepEqual(lastBody<{ properties: unknown }>(fake).properties, {
      subject: 'Call me back',
      hs_pipeline: '0',
      hs_pipeline_stage: '2',
      hubspot_owner_id: '12345',
    });
    const deals = await direct(fake, { deal_stage: 'qualifiedtobuy' });
    await deals.recordLead({ contact: { id: 'ct_1', email: 'camille.roux@example.com' }, subject: 'Quote' });
    assert.equal(lastBody<{ properties: { dealstage: string } }>(fake).properties.dealstage, 'qualifiedtobuy');
  });

  it('creates the contact of a lead from an unknown person first', async () => {
    const contact = { id: 'ct_2', email: 'Nina.Petit@example.com', phone: '+33 7 00 00 00 01', name: 'Nina Petit' };
    const { id } = await crm.recordLead({ contact, subject: 'Wholesale prices' });
    const create = fake.requests.find((r) => r.method === 'POST' && r.path === '/crm/v3/objects/contacts');
    assert.deepEqual(create?.body, {
      properties: { email: 'nina.petit@example.com', firstname: 'Nina', lastname: 'Petit', phone: '+33700000001' },
    });
    const nina = [...fake.objects.contacts.values()].find((c) => c.properties.email === 'nina.petit@example.com');
    assert.ok(nina, 'the contact was not created');
    assert.equal(fake.objects.deals.get(id)?.associations[0]?.toObjectId, nina.id);
  });

  it('records a lead from someone with no email or phone without a contact, their name in the description', async () => {
    const { id } = await crm.recordLead({ contact: { id: 'ct_3', name: 'Léa' }, subject: 'Opening hours?' });
    assert.deepEqual(
      fake.requests.map((r) => `${r.method} ${r.path}`),
      ['POST /crm/v3/objects/deals'],
    );
    assert.deepEqual(fake.objects.deals.get(id)?.associations, []);
    assert.equal(fake.objects.deals.get(id)?.properties.description, 'From: Léa');
  });

  it('logs a conversation as a note (escaped HTML, timestamp) associated to the contact (type 202)', async () => {
    await crm.logConversation({
      contact: { id: 'ct_1', email: 'camille.roux@example.com' },
      summary: 'Asked about <b>delivery</b> & returns\nHappy',
      transcriptUrl: 'https://example.com/t/1?a=1&b=2',
    });
    assert.equal(last(fake)?.path, '/crm/v3/objects/notes');
    assert.deepEqual(last(fake)?.body, {
      properties: {
        hs_note_body:
          '<p>Asked about &#60;b&#62;delivery&#60;/b&#62; &#38; returns<br>Happy</p>' +
          '<p><a href="https://example.com/t/1?a=1&#38;b=2">Transcript</a></p>',
        hs_timestamp: NOW.toISOString(),
      },
      associations: [
        { to: { id: camille }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] },
      ],
    });
    assert.equal(fake.objects.notes.size, 1);
  });
});

describe('hubspot errors and retries', () => {
  let fake: FakeHubspot;
  before(async () => {
    fake = await startFakeHubspot();
    fake.seedContact({ email: 'camille.roux@example.com', firstname: 'Camille' });
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('a 429 is retryable, with HubSpot’s Retry-After', async () => {
    const crm = await direct(fake);
    fake.rateLimitNext(1, { retryAfterSeconds: 7 });
    await assert.rejects(crm.findContact({ email: 'camille.roux@example.com' }), (error) => {
      assert.ok(error instanceof ConnectorHttpError, `not a ConnectorHttpError: ${String(error)}`);
      assert.equal(error.status, 429);
      assert.equal(error.retryable, true);
      assert.equal(error.retryAfterMs, 7_000);
      assert.match(error.message, /ten_secondly_rolling/);
      return true;
    });
  });

  it('a 429 then success goes through openConnectors’ retries', async () => {
    const crm = await opened(fake);
    fake.rateLimitNext(1);
    const found = await crm.findContact({ email: 'camille.roux@example.com' });
    assert.equal(found?.firstName, 'Camille');
    assert.equal(fake.count('POST', SEARCH), 2, 'not one 429 and one retry');
  });

  it('the fake’s own ten-secondly window answers 429 past its limit', async () => {
    const tight = await startFakeHubspot({ tenSecondlyLimit: 2 });
    try {
      const crm = await direct(tight);
      await crm.findContact({ email: 'a@example.com' });
      await crm.findContact({ email: 'b@example.com' });
      await assert.rejects(crm.findContact({ email: 'c@example.com' }), /HTTP 429 You have reached your ten_secondly/);
    } finally {
      await tight.close();
    }
  });

  it('upsertContact (idempotent) is retried after a 429; recordLead (not idempotent) is not', async () => {
    const crm = await opened(fake);
    fake.rateLimitNext(1, { path: /\/contacts\/\d+$/ });
    const updated = await crm.upsertContact({ email: 'camille.roux@example.com', lastName: 'Roux' });
    assert.equal(updated.lastName, 'Roux');
    assert.equal(fake.count('PATCH', /^\/crm\/v3\/objects\/contacts\/\d+$/), 2, 'the PATCH was not sent again');

    fake.rateLimitNext(1, { path: /\/deals$/ });
    await assert.rejects(
      crm.recordLead({ contact: { id: 'ct_1', email: 'camille.roux@example.com' }, subject: 'Quote' }),
      (error) => error instanceof ConnectorHttpError && error.status === 429,
    );
    assert.equal(fake.count('POST', '/crm/v3/objects/deals'), 1, 'the deal create was sent again');
  });

  it('the daily quota’s 429 is not waited for', async () => {
    const crm = await opened(fake);
    fake.rateLimitNext(1, { policyName: 'DAILY' });
    await assert.rejects(crm.findContact({ email: 'camille.roux@example.com' }), (error) => {
      assert.ok(error instanceof ConnectorHttpError, `not a ConnectorHttpError: ${String(error)}`);
      assert.match(error.message, /daily API quota/);
      return true;
    });
    assert.equal(fake.count('POST', SEARCH), 1, 'the daily limit was retried');
  });

  it('a 401 is not retried, and says the token in HUBSPOT_TOKEN is wrong without showing it', async () => {
    const wrong = 'pat-na1-00000000-dead-beef-0000-000000000000';
    const crm = await opened(fake, { HUBSPOT_TOKEN: wrong });
    await assert.rejects(crm.findContact({ email: 'camille.roux@example.com' }), (error) => {
      assert.ok(error instanceof ConnectorHttpError, `not a ConnectorHttpError: ${String(error)}`);
      assert.equal(error.status, 401);
      assert.equal(error.retryable, false);
      assert.match(error.message, /refused the access token/);
      assert.match(error.message, /HUBSPOT_TOKEN/);
      assert.ok(!error.message.includes(wrong), 'the message shows the token');
      assert.ok(!error.message.includes('dead-beef'), 'the message shows part of the token');
      return true;
    });
    assert.equal(fake.requests.length, 1, 'the 401 was retried');
    assert.equal(fake.requests[0]?.authorization, `Bearer ${wrong}`);
  });

  it('a contact id HubSpot no longer has is found or created again by email', async () => {
    const crm = await direct(fake);
    const updated = await crm.upsertContact({ id: '999999', email: 'camille.roux@example.com', firstName: 'Cam' });
    assert.notEqual(updated.id, '999999');
    assert.equal(updated.firstName, 'Cam');
    assert.deepEqual(
      fake.requests.map((r) => `${r.method} ${r.path}`),
      ['PATCH /crm/v3/objects/contacts/999999', `POST ${SEARCH}`, `PATCH /crm/v3/objects/contacts/${updated.id}`],
    );
  });
});
