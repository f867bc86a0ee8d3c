/**
 * Who can reach the gateway, with real gateway processes and real TCP:
 *
 * - HOST=127.0.0.1 listens on the loopback interface only: the same port on
 *   this machine's other address refuses the connection. HOST unset listens
 *   on every interface, as before.
 * - Bot Framework open mode (MicrosoftAppId unset, for the Emulator) serves
 *   callers on this machine only: a request from another address gets 403
 *   with the reason and the remedy, even when it names a loopback serviceUrl
 *   and writes X-Forwarded-For: 127.0.0.1; one that came from elsewhere
 *   through a proxy on this machine (X-Forwarded-For not loopback) too. The
 *   Emulator on this machine is still answered.
 *
 * "Another address" is this machine's own non-loopback interface address:
 * a connection to it from here comes from it, not from 127.0.0.1. A machine
 * with no such interface skips these tests, saying so.
 */
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { type FakeBotConnector, startFakeBotConnector } from './support/fakes/botframework.js';
import { type IsolatedGateway, startIsolatedGateway } from './support/gateway-process.js';
import { waitFor } from './support/services.js';

/** This machine's first address that is not loopback (IPv4 preferred), as a URL host. */
function otherAddress(): string | undefined {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((entry) => entry !== undefined && !entry.internal && !entry.address.startsWith('fe80:'));
  const ipv4 = addresses.find((entry) => entry?.family === 'IPv4');
  if (ipv4) return ipv4.address;
  const ipv6 = addresses.find((entry) => entry?.family === 'IPv6');
  return ipv6 ? `[${ipv6.address}]` : undefined;
}

const OTHER = otherAddress();
const skip = OTHER
  ? undefined
  : 'this machine has no network interface besides loopback: no address to call the gateway from that is not 127.0.0.1';

const readyLine = (gateway: IsolatedGateway) =>
  gateway.logs.find((line) => typeof line.msg === 'string' && line.msg.startsWith('gateway ready'));

let sequence = 0;

/** A Teams message as the Bot Framework Emulator sends it: its serviceUrl is on this machine. */
function emulatorMessage(connector: FakeBotConnector, conversation: string, text: string) {
  sequence += 1;
  return {
    type: 'message',
    id: `emu-${sequence}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: `29:user-${conversation}`, name: 'Camille Martin' },
    conversation: { conversationType: 'personal', id: `a:${conversation}` },
    recipient: { id: '28:bot-open-mode', name: 'Maison Lumière' },
    text,
    locale: 'fr-FR',
  };
}

describe('who can reach the gateway', { skip }, () => {
  let loopbackOnly: IsolatedGateway | undefined;
  let everywhere: IsolatedGateway | undefined;
  let connector: FakeBotConnector | undefined;

  before(async () => {
    connector = await startFakeBotConnector();
    const open = { MicrosoftAppId: '', MicrosoftAppPassword: '', BOT_DIR: 'test/fixtures/echo-bot' };
    // Two processes starting at once, on a machine that may be busy with other tests.
    [loopbackOnly, everywhere] = await Promise.all([
      startIsolatedGateway('host-loopback', { env: { ...open, HOST: '127.0.0.1' }, timeoutMs: 60_000 }),
      startIsolatedGateway('host-unset', { env: open, timeoutMs: 60_000 }),
    ]);
  });

  after(async () => {
    await Promise.all([loopbackOnly?.dispose(), everywhere?.dispose()]);
    await connector?.close();
  });

  it('HOST=127.0.0.1 listens on loopback only; HOST unset on every interface', async () => {
    assert.ok(loopbackOnly && everywhere);
    assert.equal(readyLine(loopbackOnly)?.host, '127.0.0.1', 'the start-up line says where it listens');
    assert.equal((await fetch(`http://127.0.0.1:${loopbackOnly.port}/healthz`)).status, 200);
    const refused = await fetch(`http://${OTHER}:${loopbackOnly.port}/healthz`).then(
      () => undefined,
      (error: Error) => (error.cause as NodeJS.ErrnoException | undefined)?.code,
    );
    assert.equal(refused, 'ECONNREFUSED', `nothing listens on ${OTHER}:${loopbackOnly.port}`);

    assert.match(String(readyLine(everywhere)?.host), /^(::|0\.0\.0\.0)$/, 'every interface');
    assert.equal((await fetch(`http://${OTHER}:${everywhere.port}/healthz`)).status, 200);
  });

  it('open mode refuses a caller from another address with the reason, and still answers the Emulator here', async () => {
    assert.ok(everywhere && connector);
    const post = async (host: string, body: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(`http://${host}:${everywhere?.port}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, text: await response.text() };
    };
    const refusals = [
      ['from another address', OTHER as string, 'remote-1', {}, /comes from another machine;/],
      [
        'from another address claiming to be 127.0.0.1',
        OTHER as string,
        'remote-2',
        { 'x-forwarded-for': '127.0.0.1' },
        /comes from another machine;/,
      ],
      [
        'from elsewhere through a proxy on this machine',
        '127.0.0.1',
        'remote-3',
        { 'x-forwarded-for': '203.0.113.9' },
        /comes from another machine through a proxy;/,
      ],
    ] as const;
    for (const [what, host, conversation, headers, reason] of refusals) {
      const answer = await post(host, emulatorMessage(connector, conversation, 'bonjour'), headers);
      assert.equal(answer.status, 403, `${what}: ${answer.text}`);
      const error = (JSON.parse(answer.text) as { error: string }).error;
      assert.match(error, /MicrosoftAppId is not set, so only the Bot Framework Emulator on this machine is served/);
      assert.match(error, reason, what);
      assert.match(error, /set MicrosoftAppId and MicrosoftAppPassword/, `${what}: says what to do`);
    }

    const local = await post('127.0.0.1', emulatorMessage(connector, 'local', 'bonjour'));
    assert.equal(local.status, 200, `the Emulator on this machine: ${local.text}`);
    await waitFor('the answer to the Emulator', () =>
      connector?.activities.some((posted) => posted.conversationId === 'a:local'),
    );
    const refusedConversations = new Set(refusals.map(([, , conversation]) => `a:${conversation}`));
    assert.deepEqual(
      connector.activities.filter((posted) => refusedConversations.has(posted.conversationId)),
      [],
      'nothing refused reached the bot',
    );
    assert.ok(
      everywhere.logs.some(
        (line) => line.level === 'warn' && String(line.msg).includes('open mode, not from this machine'),
      ),
      'each refusal is logged as a warning',
    );
  });
});
