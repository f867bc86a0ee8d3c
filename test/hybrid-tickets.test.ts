/**
 * Outside opening hours, with the real gateway on PostgreSQL: a customer who
 * asks for a person is told the hours and leaves a message; it becomes a
 * ticket the operator answers from the console API, and the answer reaches
 * the customer. Then the customer's data is exported and erased on request
 * (GDPR), in the database and in Redis.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDb } from '@passerelle/core';
import { addOperator, ConsoleClient } from './support/console-client.js';
import { type GatewayProcess, startGateway } from './support/gateway-process.js';
import { createTempDatabase, deletePrefix, openRedis, postgresSkipReason, uniquePrefix } from './support/services.js';
import { WebchatVisitor } from './support/webchat-client.js';

const skip = await postgresSkipReason();
const PASSWORD = 'lumiere-manager-2026';

/** Today and tomorrow in Paris: holidays, so the team is closed whenever the test runs. */
function closedTeam(): string {
  const day = (offset: number) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(Date.now() + offset * 86_400_000));
  return `teams:
  support:
    name: { fr: Service client, en: Customer service }
    time_zone: Europe/Paris
    hours:
      - { days: [mon, tue, wed, thu, fri, sat], from: '09:00', to: '19:00' }
    holidays: ['${day(0)}', '${day(1)}']
`;
}

describe('outside opening hours: an offline message becomes a ticket, answered from the console', { skip }, () => {
  let gateway: GatewayProcess;
  let botDir: string;
  let database: { url: string; drop(): Promise<void> };
  let prefix: string;
  let operator: ConsoleClient;
  let visitor: WebchatVisitor;
  let ticketId = '';
  let contactId = '';

  before(async () => {
    botDir = await mkdtemp(join(tmpdir(), 'passerelle-closed-'));
    await cp(new URL('../bots/demo', import.meta.url).pathname, botDir, { recursive: true });
    await writeFile(join(botDir, 'teams.yaml'), closedTeam());
    database = await createTempDatabase();
    prefix = uniquePrefix('tickets');
    const env = { DATABASE_URL: database.url, REDIS_KEY_PREFIX: prefix, BOT_DIR: botDir };
    gateway = await startGateway({ env });
    await addOperator(env, { email: 'lea@maison-lumiere.example', name: 'Léa', password: PASSWORD, role: 'manager' });
    operator = await ConsoleClient.login(gateway.url, 'lea@maison-lumiere.example', PASSWORD);
  });

  after(async () => {
    visitor?.close();
    await gateway?.stop('SIGKILL');
    const redis = openRedis('tickets-cleanup');
    await deletePrefix(redis, prefix);
    await redis.quit();
    await database?.drop();
    await rm(botDir, { recursive: true, force: true });
  });

  let sent = 0;
  async function say(text: string, replies = 1): Promise<string[]> {
    const before = visitor.botMessages().length;
    sent += 1;
    visitor.say(`offline-message-${sent}`, text);
    await visitor.waitFor(() => visitor.botMessages().length >= before + replies);
    return visitor.botTexts().slice(before);
  }

  it('tells the hours and takes a message instead of queueing', async () => {
    visitor = await WebchatVisitor.connect(gateway.url, { locale: 'fr' });
    const [hours, name] = await say('je voudrais parler à un conseiller', 2);
    assert.match(hours ?? '', /^Notre équipe répond du lundi au samedi, de 9 h à 19 h\. Laissez-nous un message/);
    assert.match(name ?? '', /Quel est votre nom/);
    assert.equal(
      ((await operator.api('GET', '/console/api/queue')).body.waiting as unknown[]).length,
      0,
      'queued while closed',
    );
    await say('Zoé Martin');
    await say('zoe@example.com');
    const [done] = await say('Ma suspension Arc clignote, que faire ?');
    ticketId = /référence (T-[A-Z0-9]{6})/.exec(done ?? '')?.[1] ?? '';
    assert.ok(ticketId, `no ticket reference in: ${done}`);
  });

  it('shows the ticket with its fields and history; the answer reaches the customer, the ticket is pending', async () => {
    const list = (await operator.api('GET', '/console/api/tickets?status=open')).body.tickets as Array<{
      id: string;
      contactId: string;
    }>;
    assert.deepEqual(
      list.map((ticket) => ticket.id),
      [ticketId],
    );
    contactId = list[0]?.contactId ?? '';
    const detail = await operator.api('GET', `/console/api/tickets/${ticketId}`);
    const ticket = detail.body.ticket as { subject: string; fields: Record<string, string> };
    assert.equal(ticket.subject, 'Message de Zoé Martin');
    assert.equal(ticket.fields.email, 'zoe@example.com');
    assert.deepEqual(detail.body.reach, { channel: 'webchat', otherChannel: false });

    const before = visitor.botMessages().length;
    const reply = await operator.api('POST', `/console/api/tickets/${ticketId}/reply`, {
      id: 'ticket-answer-1',
      text: 'Bonjour Zoé, changez l’ampoule pour une LED compatible variateur : nous vous l’offrons.',
    });
    assert.equal(reply.status, 202);
    assert.equal(reply.body.channel, 'webchat');
    await visitor.waitFor(() => visitor.botMessages().length > before);
    assert.match(visitor.botTexts().at(-1) ?? '', /^Bonjour Zoé, changez l’ampoule/);

    const after = await operator.api('GET', `/console/api/tickets/${ticketId}`);
    assert.equal((after.body.ticket as { status: string }).status, 'pending');
    assert.deepEqual(
      (after.body.history as Array<{ kind: string }>).map((event) => event.kind),
      ['created', 'replied'],
    );
  });

  it('exports the contact’s data, then erases it with the messages, on request', async () => {
    const exported = await operator.api('GET', `/console/api/contacts/${contactId}/export`);
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get('content-disposition') ?? '', /attachment; filename="contact-/);
    const conversations = exported.body.conversations as Array<{
      id: string;
      messages: Array<{ body: { text?: string } }>;
    }>;
    assert.ok(
      conversations.some((c) => c.messages.some((m) => m.body.text === 'Ma suspension Arc clignote, que faire ?')),
      'the export misses the customer’s message',
    );
    const conversationId = conversations[0]?.id ?? '';

    const erased = await operator.api('DELETE', `/console/api/contacts/${contactId}`, {});
    assert.equal(erased.status, 200);
    assert.equal((await operator.api('GET', `/console/api/contacts/${contactId}/export`)).status, 404);
    const db = await openDb({ databaseUrl: database.url });
    try {
      const { rows } = await db.query<{ n: string }>(
        `select (select count(*) from messages where conversation_id = $1)
              + (select count(*) from tickets where id = $2)
              + (select count(*) from ticket_events where ticket_id = $2) as n`,
        [conversationId, ticketId],
      );
      assert.equal(Number(rows[0]?.n), 0, 'messages, ticket or its history survived the erasure');
    } finally {
      await db.close();
    }
    const redis = openRedis('tickets-check');
    try {
      assert.equal(await redis.exists(`${prefix}:session:{${conversationId}}`), 0, 'the dialog session survived');
      assert.equal(
        await redis.exists(`${prefix}:webchat:{${visitor.visitorId}}:history`),
        0,
        'the web chat history survived',
      );
    } finally {
      await redis.quit();
    }
  });
});
