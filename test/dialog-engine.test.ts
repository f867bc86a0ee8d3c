/**
 * The dialog engine inside the real gateway: a web chat visitor talks to the
 * demo bot (a copy of bots/demo) through a gateway process on PostgreSQL.
 * Checks what only the whole system can show: a conversation survives a
 * killed process, STOP is durable in the database, a ticket lands in the
 * database, and the bot folder reloads without dropping a conversation.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isOptedOut, openDb } from '@passerelle/core';
import { type GatewayProcess, runCli, startGateway } from './support/gateway-process.js';
import {
  createTempDatabase,
  deletePrefix,
  openRedis,
  postgresSkipReason,
  uniquePrefix,
  waitFor,
} from './support/services.js';
import { WebchatVisitor } from './support/webchat-client.js';

const skip = await postgresSkipReason();

interface Setup {
  botDir: string;
  database: { url: string; drop(): Promise<void> };
  prefix: string;
  gateway: GatewayProcess;
}

describe('the dialog engine in the gateway', { skip }, () => {
  let setup: Setup;
  const env = () => ({
    DATABASE_URL: setup.database.url,
    REDIS_KEY_PREFIX: setup.prefix,
    BOT_DIR: setup.botDir,
  });

  before(async () => {
    const botDir = await mkdtemp(join(tmpdir(), 'passerelle-bot-'));
    await cp(new URL('../bots/demo', import.meta.url).pathname, botDir, { recursive: true });
    const database = await createTempDatabase();
    const prefix = uniquePrefix('dialog');
    setup = { botDir, database, prefix, gateway: undefined as never };
    setup.gateway = await startGateway({ env: env() });
  });

  after(async () => {
    await setup.gateway?.stop('SIGKILL');
    const redis = openRedis('dialog-cleanup');
    await deletePrefix(redis, setup.prefix);
    await redis.quit();
    await setup.database.drop();
    await rm(setup.botDir, { recursive: true, force: true });
  });

  /** Sends a text (or presses a button) and waits for `count` more bot messages; returns their texts. */
  async function exchange(
    visitor: WebchatVisitor,
    label: string,
    input: string | { payload: string; title: string },
    count = 1,
  ) {
    const id = `message-${label}`;
    const before = visitor.botMessages().length;
    if (typeof input === 'string') visitor.say(id, input);
    else visitor.sendRaw(JSON.stringify({ type: 'message', id, postback: input }));
    await visitor.waitFor(() => visitor.botMessages().length >= before + count);
    return visitor.botTexts().slice(before);
  }

  it('carries a flow on after the process answering it was killed', async () => {
    const visitor = await WebchatVisitor.connect(setup.gateway.url, { locale: 'fr' });
    const [menu] = await exchange(visitor, 'k1', 'Bonjour');
    assert.match(menu ?? '', /Que puis-je faire pour vous/);
    const [question] = await exchange(visitor, 'k2', { payload: 'flow:order-status', title: 'Suivre ma commande' });
    assert.match(question ?? '', /numéro de commande/);
    visitor.close();

    // SIGKILL: nothing is flushed or closed politely. The session is in Redis, not in the process.
    await setup.gateway.stop('SIGKILL');
    setup.gateway = await startGateway({ env: env() });

    const again = await WebchatVisitor.connect(setup.gateway.url, {
      visitorId: visitor.visitorId,
      token: visitor.token,
    });
    // The history comes back first (the menu and the question), then the conversation goes on.
    await again.waitFor(() => again.botMessages().length >= 2);
    const replies = await exchange(again, 'k3', 'ML-10234', 2);
    assert.match(replies[0] ?? '', /ML-10234 est en route avec Colissimo/);
    assert.match(replies[1] ?? '', /Puis-je faire autre chose/);
    again.close();
  });

  it('records STOP in the database, confirms it once, and answers the next question', async () => {
    const visitor = await WebchatVisitor.connect(setup.gateway.url, { locale: 'fr' });
    const [confirmation] = await exchange(visitor, 's1', 'STOP');
    assert.match(confirmation ?? '', /désabonné/);

    const db = await openDb({ databaseUrl: setup.database.url });
    try {
      const identity = { channel: 'webchat' as const, account: 'default', userId: visitor.visitorId };
      assert.equal(await isOptedOut(db, identity), true);
      // A second STOP gets no answer: replies come in order, so the next reply must be the FAQ's.
      visitor.say('message-s2', 'stop');
      const [answer] = await exchange(visitor, 's3', 'Quels sont vos horaires ?');
      assert.match(answer ?? '', /lundi au samedi/);
      assert.equal(visitor.botMessages().length, 2, 'the second STOP was answered');
      const { rows } = await db.query<{ kind: string; source: string }>(
        'select kind, source from consent_events where user_id = $1 order by id',
        [visitor.visitorId],
      );
      assert.deepEqual(rows, [{ kind: 'opt_out', source: 'keyword' }]);
    } finally {
      await db.close();
      visitor.close();
    }
  });

  it('turns a message left for the team into a ticket in the database', async () => {
    const visitor = await WebchatVisitor.connect(setup.gateway.url, { locale: 'fr' });
    await exchange(visitor, 't1', 'laisser un message');
    await exchange(visitor, 't2', 'Zoé Martin');
    await exchange(visitor, 't3', 'zoe@example.com');
    const [done] = await exchange(visitor, 't4', 'Avez-vous des abat-jour en lin ?');
    const reference = /référence (T-[A-Z0-9]{6})/.exec(done ?? '')?.[1];
    assert.ok(reference, `no ticket reference in: ${done}`);

    const db = await openDb({ databaseUrl: setup.database.url });
    try {
      const { rows } = await db.query<{
        subject: string;
        body: string;
        fields: Record<string, string>;
        status: string;
      }>('select subject, body, fields, status from tickets where id = $1', [reference]);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.subject, 'Message de Zoé Martin');
      assert.equal(rows[0]?.body, 'Avez-vous des abat-jour en lin ?');
      assert.equal(rows[0]?.fields.email, 'zoe@example.com');
      assert.equal(rows[0]?.status, 'open');
    } finally {
      await db.close();
      visitor.close();
    }
  });

  it('reloads an edited bot folder while a conversation is in progress, and refuses a broken one', async () => {
    const visitor = await WebchatVisitor.connect(setup.gateway.url, { locale: 'en' });
    const [question] = await exchange(visitor, 'r1', 'track my order');
    assert.match(question ?? '', /order number/);

    const faqPath = join(setup.botDir, 'faq.yaml');
    const faq = await readFile(faqPath, 'utf8');
    await writeFile(faqPath, faq.replace(/Monday to Saturday/g, 'every day of the week'));
    await waitFor('the reload', () => setup.gateway.logs.some((line) => line.msg === 'bot reloaded'), 15_000);

    // The question asked before the reload is still the one being answered.
    const replies = await exchange(visitor, 'r2', 'ML-10234', 2);
    assert.match(replies[0] ?? '', /ML-10234 is on its way/);
    // Asked while "Can I help with anything else?" waits: answered, then that question again.
    const [hours, askedAgain] = await exchange(visitor, 'r3', 'what are your opening hours', 2);
    assert.match(hours ?? '', /every day of the week/);
    assert.match(askedAgain ?? '', /anything else/);

    // A mistake: the change is refused with the file and line, and the bot in service goes on.
    const flowPath = join(setup.botDir, 'flows', 'order-status.yaml');
    const flow = await readFile(flowPath, 'utf8');
    await writeFile(flowPath, flow.replace('next: lookup', 'next: lookpu'));
    const refused = await waitFor(
      'the refused reload',
      () => setup.gateway.logs.find((line) => line.msg === 'bot folder not reloaded: the version in service stays'),
      15_000,
    );
    assert.match(String(refused?.problems), /order-status\.yaml:\d+:\d+: node "ask-number": unknown node "lookpu"/);
    const [stillThere] = await exchange(visitor, 'r4', 'track my order');
    assert.match(stillThere ?? '', /order number/);
    const beforeRestore = setup.gateway.logs.length;
    await writeFile(flowPath, flow);
    // Back to the version in service: reloaded, and found to be the same.
    await waitFor('the reload of the repaired flow', () =>
      setup.gateway.logs.slice(beforeRestore).some((line) => line.msg === 'bot folder unchanged'),
    );

    // `gateway reload-bot` reaches the running worker through Redis (nothing changed: it says so).
    const reloads = setup.gateway.logs.length;
    const cli = runCli(['reload-bot'], { REDIS_KEY_PREFIX: setup.prefix, BOT_DIR: setup.botDir });
    let stdout = '';
    cli.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => cli.once('exit', (exitCode) => resolve(exitCode)));
    assert.equal(code, 0);
    assert.match(stdout, /reload asked; 1 worker process\(es\) listening/);
    await waitFor('a reload after the CLI asked', () =>
      setup.gateway.logs.slice(reloads).some((line) => line.msg === 'bot folder unchanged'),
    );
    visitor.close();
  });
});
