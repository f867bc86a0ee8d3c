/**
 * Bad input, end to end: the hostile corpus (test/support/hostile-corpus.ts,
 * over a hundred cases across the Twilio, Telegram and Bot Framework webhooks,
 * WhatsApp Web messages and the web chat socket) against one real gateway
 * process with every channel on and the echo bot. Each case gets what its
 * table row says: a clear refusal, or an answer exactly once, or nothing sent.
 * Then the same process is still healthy, still answers a normal message on
 * every channel, never restarted, lost nothing it accepted (no dead letter,
 * no failed reply), and no line it logged holds a configured secret or one of
 * the corpus's phone numbers in full.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AllChannelsGateway, startAllChannelsGateway } from './support/all-channels.js';
import { ECHO_BOT_DIR } from './support/cluster.js';
import {
  type FakeBotConnector,
  type FakeBotFrameworkLogin,
  startFakeBotConnector,
  startFakeBotFrameworkLogin,
} from './support/fakes/botframework.js';
import { type IsolatedGateway, startIsolatedGateway } from './support/gateway-process.js';
import {
  botframeworkJwtCases,
  type HostileCase,
  type HttpCase,
  hostileCorpus,
  PHONES_USED,
  type Recipient,
  type Surface,
  type WebchatCase,
  type WhatsappCase,
} from './support/hostile-corpus.js';
import { waitFor } from './support/services.js';
import { type Frame, WebchatVisitor } from './support/webchat-client.js';

/** The web chat's limits for people (their defaults): the corpus must stay within them. */
const PEOPLE_LIMITS = {
  WEBCHAT_MESSAGE_BURST: '10',
  WEBCHAT_MESSAGES_PER_SECOND: '1',
  WEBCHAT_CONNECTIONS_PER_MINUTE: '30',
  WEBCHAT_SOCKETS_PER_ADDRESS: '50',
};
const ECHO = 'You said: "';

interface Outcome {
  /** What went wrong with this case, if anything. */
  problems: string[];
  /** Web chat: the visitor, whose bot messages are its answers. */
  visitor?: WebchatVisitor;
}

/** Sends an HTTP case's requests; what did not go as its row says. */
async function sendHttpCase(baseUrl: string, item: HttpCase): Promise<string[]> {
  const problems: string[] = [];
  const expectedStatus =
    'refused' in item.expect
      ? item.expect.refused
      : 'accepted' in item.expect
        ? item.expect.accepted
        : (item.expect.status ?? 200);
  for (const [index, request] of item.requests.entries()) {
    const response = await fetch(`${baseUrl}${request.path}`, {
      method: request.method ?? 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (response.status !== expectedStatus) {
      problems.push(
        `request ${index + 1}: status ${response.status}, expected ${expectedStatus}: ${text.slice(0, 300)}`,
      );
      continue;
    }
    if ('refused' in item.expect) {
      let error: unknown;
      try {
        error = (JSON.parse(text) as { error?: unknown }).error;
      } catch {
        problems.push(`the refusal is not JSON: ${text.slice(0, 200)}`);
        continue;
      }
      if (typeof error !== 'string' || !item.expect.reason.test(error)) {
        problems.push(`refusal reason ${JSON.stringify(error)} does not match ${item.expect.reason}`);
      }
    }
  }
  return problems;
}

describe('a hostile corpus against one gateway with every channel on', () => {
  let all: AllChannelsGateway;
  let corpus: HostileCase[];
  const outcomes = new Map<HostileCase, Outcome>();
  let pid: number | undefined;

  before(
    async () => {
      all = await startAllChannelsGateway('bad-input', { env: PEOPLE_LIMITS });
      pid = all.gateway.child.pid;
      corpus = hostileCorpus({ connectorUrl: all.connector.url });
    },
    { timeout: 90_000 },
  );
  after(async () => {
    for (const outcome of outcomes.values()) outcome.visitor?.close();
    await all?.close();
  });

  /** Every reply sent to a recipient, as text, in order. */
  function repliesTo(recipient: Recipient, outcome: Outcome | undefined): string[] {
    switch (recipient.channel) {
      case 'sms':
        return all.twilio.messages.filter((sent) => sent.To === recipient.phone).map((sent) => sent.Body ?? '');
      case 'telegram':
        return all.telegram
          .callsTo('sendMessage')
          .filter((call) => Number(call.payload.chat_id) === recipient.chatId)
          .map((call) => String(call.payload.text));
      case 'botframework':
        return all.connector.activities
          .filter((posted) => posted.conversationId === recipient.conversationId)
          .map((posted) => String(posted.activity.text ?? ''));
      case 'whatsapp':
        return all.whatsapp.sent
          .filter((sent) => sent.chatId === recipient.chatId)
          .map((sent) => (sent.content.kind === 'text' ? sent.content.text : `[${sent.content.kind}]`));
      case 'webchat':
        return outcome?.visitor?.botTexts() ?? [];
    }
  }

  const runHttp = async (item: HttpCase): Promise<Outcome> => ({ problems: await sendHttpCase(all.gateway.url, item) });

  async function runWhatsapp(item: WhatsappCase): Promise<Outcome> {
    for (const message of item.messages) all.session.deliver(message, item.contact ? { contact: item.contact } : {});
    return { problems: [] };
  }

  async function runWebchat(item: WebchatCase): Promise<Outcome> {
    const problems: string[] = [];
    const visitor = await WebchatVisitor.connect(all.gateway.url, item.hello ?? {});
    const start = visitor.frames.length;
    for (const frame of item.frames) {
      if (typeof frame === 'string') visitor.sendRaw(frame);
      else visitor.sendBinary(Buffer.from(frame.binary));
    }
    const since = () => visitor.frames.slice(start);
    const expect = item.expect;
    try {
      if ('closed' in expect) {
        const code = await Promise.race([
          visitor.closed,
          new Promise<number>((resolve) => setTimeout(() => resolve(0), 10_000).unref()),
        ]);
        if (code !== expect.closed) problems.push(`socket closed with ${code}, expected ${expect.closed}`);
      } else if ('error' in expect) {
        await visitor.waitFor(() => since().some((frame) => frame.type === 'error'));
        const error = since().find((frame) => frame.type === 'error') as Frame;
        if (error.code !== expect.error) problems.push(`error code ${String(error.code)}, expected ${expect.error}`);
        if (!expect.reason.test(String(error.message)))
          problems.push(`error ${JSON.stringify(error.message)} does not match ${expect.reason}`);
        if (since().some((frame) => frame.type === 'ack')) problems.push('a refused frame was acked');
      } else {
        await visitor.waitFor(
          () => since().filter((frame) => frame.type === 'ack' || frame.type === 'error').length >= expect.acks,
        );
        const acks = since().filter((frame) => frame.type === 'ack');
        const errors = since().filter((frame) => frame.type === 'error');
        if (errors.length > 0) problems.push(`refused: ${JSON.stringify(errors)}`);
        if (acks.length !== expect.acks) problems.push(`${acks.length} acks, expected ${expect.acks}`);
        const duplicates = acks.filter((frame) => frame.duplicate === true).length;
        if (duplicates !== (expect.duplicates ?? 0))
          problems.push(`${duplicates} duplicate acks, expected ${expect.duplicates ?? 0}`);
      }
    } catch (error) {
      problems.push(String(error).slice(0, 500));
    }
    return { problems, visitor };
  }

  it('has over a hundred cases, on every surface', () => {
    const bySurface = new Map<Surface, number>();
    for (const item of corpus) bySurface.set(item.surface, (bySurface.get(item.surface) ?? 0) + 1);
    console.log(
      `hostile corpus: ${corpus.length} cases: ${[...bySurface].map(([surface, count]) => `${surface} ${count}`).join(', ')}`,
    );
    assert.ok(corpus.length >= 100, `${corpus.length} cases`);
    for (const surface of ['twilio', 'twilio-status', 'telegram', 'botframework', 'whatsapp', 'webchat'] as const) {
      assert.ok((bySurface.get(surface) ?? 0) >= 5, `at least 5 cases for ${surface}`);
    }
    const names = new Set<string>();
    for (const item of corpus) {
      const key = `${item.surface}: ${item.name}`;
      assert.ok(!names.has(key), `case named twice: ${key}`);
      names.add(key);
    }
  });

  it('refuses, answers once or ignores each case as its row says', { timeout: 180_000 }, async () => {
    for (const item of corpus) {
      const outcome =
        item.surface === 'whatsapp'
          ? await runWhatsapp(item)
          : item.surface === 'webchat'
            ? await runWebchat(item)
            : await runHttp(item as HttpCase);
      outcomes.set(item, outcome);
    }
    const answerable = corpus.filter((item) => 'answered' in item.expect);
    const recipientOf = (item: HostileCase): Recipient | undefined =>
      item.surface === 'webchat' ? { channel: 'webchat' } : item.recipient;
    // Everything accepted has been worked through: no job waiting, running or being retried.
    await waitFor(
      'every accepted case to be answered',
      () =>
        answerable.every((item) => {
          const recipient = recipientOf(item);
          return recipient && repliesTo(recipient, outcomes.get(item)).some((reply) => reply.startsWith(ECHO));
        }),
      60_000,
      250,
    ).catch(() => {});
    await waitFor('the queues to be empty', async () => (await queueBacklog()) === 0, 60_000, 250);

    const failures: string[] = [];
    for (const item of corpus) {
      const outcome = outcomes.get(item) as Outcome;
      const problems = [...outcome.problems];
      const recipient = recipientOf(item);
      if (recipient && !('refused' in item.expect) && !('error' in item.expect) && !('closed' in item.expect)) {
        const replies = repliesTo(recipient, outcome);
        if ('answered' in item.expect) {
          const echoes = replies.filter((reply) => reply.startsWith(ECHO)).length;
          if (echoes !== 1) problems.push(`answered ${echoes} times: ${JSON.stringify(replies).slice(0, 300)}`);
          const joined = replies.join('');
          for (const fragment of item.expect.contains) {
            if (!joined.includes(fragment))
              problems.push(
                `the answer lacks ${JSON.stringify(fragment).slice(0, 80)}: ${JSON.stringify(joined).slice(0, 300)}`,
              );
          }
        } else if (replies.length > 0) {
          problems.push(`expected nothing sent, got ${JSON.stringify(replies).slice(0, 200)}`);
        }
      }
      if (problems.length > 0) failures.push(`[${item.surface}] ${item.name}: ${problems.join('; ')}`);
    }
    assert.deepEqual(failures, [], `${failures.length} of ${corpus.length} cases did not get what their row says`);
  });

  /** Jobs waiting, running, delayed (a retry) or failed in the inbound and outbound queues. */
  async function queueBacklog(): Promise<number> {
    const metrics = await (await fetch(`${all.gateway.url}/metrics`)).text();
    let total = 0;
    for (const match of metrics.matchAll(
      /^passerelle_queue_jobs\{queue="(inbound|outbound)",state="(\w+)"\} (\d+)$/gm,
    )) {
      total += Number(match[3]);
    }
    return total;
  }

  it('is still the same healthy process, and lost nothing it accepted', async () => {
    assert.equal(all.gateway.child.exitCode, null, 'the gateway process is still running');
    assert.equal(all.gateway.child.pid, pid, 'same process');
    const readyLines = all.gateway.logs.filter(
      (line) => typeof line.msg === 'string' && line.msg.startsWith('gateway ready'),
    );
    assert.equal(readyLines.length, 1, 'it started once');
    assert.equal((await fetch(`${all.gateway.url}/healthz`)).status, 200, '/healthz');
    const ready = await fetch(`${all.gateway.url}/readyz`);
    assert.equal(ready.status, 200, `/readyz: ${await ready.text()}`);
    const deadLetters = (await (
      await fetch(`${all.gateway.url}/admin/dead-letters`, { headers: { authorization: `Bearer ${all.secrets[0]}` } })
    ).json()) as { count: number; items: unknown[] };
    assert.equal(deadLetters.count, 0, `no dead letter: ${JSON.stringify(deadLetters.items).slice(0, 1000)}`);
    const metrics = await (await fetch(`${all.gateway.url}/metrics`)).text();
    assert.doesNotMatch(
      metrics,
      /passerelle_replies_total\{[^}]*outcome="(failed|unknown)"\} [1-9]/,
      'no reply failed or unknown',
    );
    // Bad input is the sender's fault: a refusal is logged at info or warn; an error line means something broke.
    const errors = all.gateway.logs
      .filter((line) => line.level === 'error' || line.level === 'fatal')
      .map((line) => `${String(line.msg)}: ${JSON.stringify(line.err ?? '').slice(0, 300)}`);
    assert.deepEqual(errors, [], 'no request failed, nothing broke (no error or fatal log line)');
  });

  it('still answers a normal message on every channel', async () => {
    const { twilio, telegram, connector, whatsapp, session, gateway } = all;
    const { signedTwilioRequest, TWILIO_TEST, twilioSid } = await import('../packages/channels/src/twilio/cases.js');
    const sms = signedTwilioRequest('/webhooks/twilio', {
      MessageSid: twilioSid('SM', 0xfffff),
      AccountSid: TWILIO_TEST.accountSid,
      From: '+33639799999',
      To: TWILIO_TEST.from,
      Body: 'normal sms',
      NumMedia: '0',
    });
    PHONES_USED.push('+33639799999');
    assert.equal(
      (await fetch(`${gateway.url}${sms.path}`, { method: 'POST', headers: sms.headers, body: sms.body })).status,
      200,
    );
    const telegramChat = 799_999_999;
    const update = {
      update_id: 899_999_999,
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: telegramChat, type: 'private' },
        from: { id: telegramChat, first_name: 'N' },
        text: 'normal telegram',
      },
    };
    const posted = await fetch(`${gateway.url}/webhooks/telegram`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': 'all-channels-telegram-webhook-secret_42',
      },
      body: JSON.stringify(update),
    });
    assert.equal(posted.status, 200, 'telegram');
    for (const [channelId, conversation] of [
      ['msteams', 'a:normal-teams'],
      ['facebook', 'normal-messenger'],
    ] as const) {
      const activity = {
        type: 'message',
        id: `normal-${channelId}`,
        channelId,
        serviceUrl: connector.url,
        from: { id: `user-${channelId}`, name: 'N' },
        conversation: { id: conversation },
        recipient: { id: 'bot' },
        text: `normal ${channelId}`,
      };
      const response = await fetch(`${gateway.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
      });
      assert.equal(response.status, 200, channelId);
    }
    session.deliver({
      id: {
        fromMe: false,
        remote: '33612999999@c.us',
        id: '3EB0NORMAL0001',
        _serialized: 'false_33612999999@c.us_3EB0NORMAL0001',
      },
      type: 'chat',
      body: 'normal whatsapp',
      t: Math.floor(Date.now() / 1000),
      from: '33612999999@c.us',
      to: '33700000042@c.us',
      ack: 1,
      isNewMsg: true,
      notifyName: 'N',
    });
    PHONES_USED.push('+33612999999');
    const visitor = await WebchatVisitor.connect(gateway.url);
    visitor.say('normal-webchat-0001', 'normal webchat');
    await waitFor('a normal SMS answered', () =>
      twilio.messages.some((sent) => sent.To === '+33639799999' && sent.Body === `${ECHO}normal sms".`),
    );
    await waitFor('a normal Telegram message answered', () =>
      telegram
        .callsTo('sendMessage')
        .some(
          (call) => Number(call.payload.chat_id) === telegramChat && call.payload.text === `${ECHO}normal telegram".`,
        ),
    );
    await waitFor('a normal Teams message answered', () =>
      connector.activities.some((sent) => sent.activity.text === `${ECHO}normal msteams".`),
    );
    await waitFor('a normal Messenger message answered', () =>
      connector.activities.some((sent) => sent.activity.text === `${ECHO}normal facebook".`),
    );
    await waitFor('a normal WhatsApp message answered', () =>
      whatsapp.sent.some(
        (sent) =>
          sent.chatId === '33612999999@c.us' &&
          sent.content.kind === 'text' &&
          sent.content.text === `${ECHO}normal whatsapp".`,
      ),
    );
    await visitor.waitFor(() => visitor.botTexts().includes(`${ECHO}normal webchat".`));
    visitor.close();
  });

  it('never logged a configured secret or a full phone number', () => {
    const lines = all.gateway.output().split('\n');
    const leaks: string[] = [];
    for (const secret of all.secrets) {
      for (const line of lines)
        if (line.includes(secret)) leaks.push(`secret ${secret.slice(0, 6)}…: ${line.slice(0, 300)}`);
    }
    for (const phone of new Set(PHONES_USED)) {
      const digits = phone.slice(1);
      for (const line of lines) {
        if (line.includes(phone) || line.includes(digits)) leaks.push(`phone ${phone}: ${line.slice(0, 300)}`);
      }
    }
    assert.ok(lines.length > 200, `the process logged (${lines.length} lines) at debug level`);
    assert.deepEqual(leaks.slice(0, 20), [], `${leaks.length} log lines leak a secret or a phone number`);
  });
});

describe('Bot Framework tokens against a gateway with MicrosoftAppId set', () => {
  const APP_ID = '7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
  const APP_PASSWORD = 'jwt-gateway-app-password~0123456789';
  let login: FakeBotFrameworkLogin;
  let connector: FakeBotConnector;
  let gateway: IsolatedGateway;
  let cases: HttpCase[];

  before(
    async () => {
      login = await startFakeBotFrameworkLogin();
      connector = await startFakeBotConnector();
      // Replies need a token from Entra ID, which this machine cannot reach: this process only shows
      // which requests get in. The corpus above answers Teams and Messenger through an open gateway.
      gateway = await startIsolatedGateway('bad-input-jwt', {
        env: {
          BOT_DIR: ECHO_BOT_DIR,
          MicrosoftAppId: APP_ID,
          MicrosoftAppPassword: APP_PASSWORD,
          BOTFRAMEWORK_OPENID_METADATA_URL: login.metadataUrl,
          LOG_LEVEL: 'debug',
        },
      });
      cases = botframeworkJwtCases({
        connectorUrl: connector.url,
        appId: APP_ID,
        token: (options) =>
          login.channelToken({
            appId: options.appId ?? APP_ID,
            serviceUrl: options.serviceUrl ?? connector.url,
            ...options,
          }),
      });
    },
    { timeout: 60_000 },
  );
  after(async () => {
    await gateway?.dispose();
    await Promise.all([login?.close(), connector?.close()]);
  });

  it('refuses every missing, forged, stale or misaddressed token with a 401, and takes a good one once', async () => {
    const failures: string[] = [];
    for (const item of cases) {
      const problems = await sendHttpCase(gateway.url, item);
      if (problems.length > 0) failures.push(`${item.name}: ${problems.join('; ')}`);
    }
    assert.deepEqual(failures, [], `${failures.length} of ${cases.length} token cases did not get what their row says`);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const count = (result: string) =>
      Number(
        new RegExp(`passerelle_inbound_events_total\\{channel="teams",result="${result}"\\} (\\d+)`).exec(
          metrics,
        )?.[1] ?? 0,
      );
    assert.equal(count('accepted'), 2, 'the good activities were accepted, each once');
    assert.equal(count('duplicate'), 1, 'the one delivered twice was recognised the second time');
    assert.equal(gateway.child.exitCode, null, 'still running');
    assert.equal((await fetch(`${gateway.url}/readyz`)).status, 200, 'still ready');
  });

  it('logged neither the app password nor a token', () => {
    const output = gateway.output();
    assert.ok(!output.includes(APP_PASSWORD), 'the app password never reaches a log');
    assert.doesNotMatch(output, /eyJ[A-Za-z0-9_-]{10,}\.eyJ/, 'no JWT in the logs');
  });
});
