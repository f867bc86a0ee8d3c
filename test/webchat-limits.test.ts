/**
 * The web chat socket's limits per client (packages/channels/src/webchat/limits.ts), on a real
 * gateway (`gateway start`, the echo bot) with small limits so that counts show them: a burst of
 * 5 frames then 1 a second per socket and per visitor, 4 new sockets per address per minute, 3
 * open per address. Everything is counted, nothing is timed: a refused frame gets an error frame
 * saying how long to wait and is not queued; an accepted one is answered once; the refused ones
 * sent again later are accepted; a client that keeps sending loses its socket (1008).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { ECHO_BOT_DIR } from './support/cluster.js';
import { type IsolatedGateway, startIsolatedGateway } from './support/gateway-process.js';
import { waitFor } from './support/services.js';
import { type Frame, WebchatVisitor } from './support/webchat-client.js';

const BURST = 5;
const LIMITS = {
  WEBCHAT_MESSAGE_BURST: String(BURST),
  WEBCHAT_MESSAGES_PER_SECOND: '1',
  WEBCHAT_CONNECTIONS_PER_MINUTE: '4',
  WEBCHAT_SOCKETS_PER_ADDRESS: '3',
};

/** A raw socket from a client address (as a proxy on this machine forwards it), with its frames and close code. */
async function socketFrom(gateway: IsolatedGateway, address: string) {
  const socket = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/webchat/socket`, {
    headers: { 'x-forwarded-for': address },
  });
  const frames: Frame[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'hello' }));
  return { socket, frames, closed };
}

describe('web chat limits per client', () => {
  let gateway: IsolatedGateway;

  before(async () => {
    gateway = await startIsolatedGateway('webchat-limits', { env: { BOT_DIR: ECHO_BOT_DIR, ...LIMITS } });
  });
  after(async () => {
    await gateway?.dispose();
  });

  it('refuses frames past the burst with a wait to show, queues none of them, and takes them later', async () => {
    const visitor = await WebchatVisitor.connect(gateway.url);
    const ids = Array.from({ length: BURST + 4 }, (_, i) => `burst-msg-${String(i).padStart(3, '0')}`);
    for (const id of ids) visitor.say(id, `message ${id}`);
    const answerOf = (frame: Frame) => (frame.type === 'ack' || frame.type === 'error' ? String(frame.id) : '');
    await visitor.waitFor(() => ids.every((id) => visitor.frames.some((frame) => answerOf(frame) === id)));
    const acked = ids.filter((id) => visitor.frames.some((frame) => frame.type === 'ack' && frame.id === id));
    const refused = visitor.frames.filter((frame) => frame.type === 'error' && ids.includes(String(frame.id)));
    assert.ok(acked.length >= BURST, `the whole burst is accepted (acked ${acked.length})`);
    assert.ok(refused.length >= 1, `frames past the burst are refused (refused ${refused.length})`);
    assert.equal(acked.length + refused.length, ids.length, 'each frame is either acked or refused, once');
    for (const error of refused) {
      assert.equal(error.code, 'rate-limited', `refusal code: ${JSON.stringify(error)}`);
      assert.match(String(error.message), /^Too fast: please wait \d+ s before sending again\.$/);
      assert.ok(Number(error.retryAfterSeconds) >= 1, 'says how long to wait');
    }
    // Every accepted message is answered, once; no refused one is.
    await visitor.waitFor(() => visitor.botTexts().length >= acked.length, 20_000);
    const answered = () => visitor.botTexts().filter((text) => text.startsWith('You said: "message '));
    for (const id of acked) {
      assert.equal(answered().filter((text) => text.includes(id)).length, 1, `${id} answered once`);
    }
    for (const error of refused) {
      assert.ok(!answered().some((text) => text.includes(String(error.id))), `refused ${error.id} was not queued`);
    }
    // Sent again after the wait (as the widget does), each refused message is taken and answered.
    const wait = Math.max(...refused.map((error) => Number(error.retryAfterSeconds)));
    for (const error of refused) {
      const id = String(error.id);
      await waitFor(
        `${id} accepted when sent again`,
        async () => {
          const before = visitor.frames.length;
          visitor.say(id, `message ${id}`);
          await visitor.waitFor(() => visitor.frames.slice(before).some((frame) => answerOf(frame) === id));
          return visitor.frames.slice(before).some((frame) => frame.type === 'ack' && frame.id === id);
        },
        (wait + 10) * 1000,
        1_000,
      );
    }
    await visitor.waitFor(() => answered().length >= ids.length, 20_000);
    for (const id of ids) assert.equal(answered().filter((text) => text.includes(id)).length, 1, `${id} answered once`);
    assert.equal(answered().length, ids.length, 'no message answered twice');
    visitor.close();
  });

  it('closes the socket of a client that keeps sending (1008) after a burst of refusals', async () => {
    const visitor = await WebchatVisitor.connect(gateway.url);
    for (let i = 0; i < 60; i++) visitor.say(`flood-${String(i).padStart(5, '0')}`, 'flood');
    assert.equal(await visitor.closed, 1008, 'closed with policy violation');
    const refusals = visitor.frames.filter((frame) => frame.type === 'error' && frame.code === 'rate-limited');
    assert.ok(refusals.length >= 1 && refusals.length <= BURST, `refused ${refusals.length} frames, then closed`);
  });

  it('limits sockets per client address: open at once on a process, and new ones per minute', async () => {
    // Three sockets may be open from one address; the fourth is closed at once.
    const open = [];
    for (let i = 0; i < 3; i++) {
      const client = await socketFrom(gateway, '203.0.113.7');
      await waitFor('welcome', () => client.frames.some((frame) => frame.type === 'welcome'));
      open.push(client);
    }
    const fourth = await socketFrom(gateway, '203.0.113.7');
    const refused = await Promise.race([
      fourth.closed,
      new Promise<{ code: number; reason: string }>((resolve) =>
        setTimeout(() => resolve({ code: 0, reason: 'still open after 20 s' }), 20_000).unref(),
      ),
    ]);
    assert.equal(refused.code, 1008, 'a fourth open socket from one address is closed');
    assert.match(refused.reason, /too many connections from this address/);
    assert.ok(!fourth.frames.some((frame) => frame.type === 'welcome'), 'and never welcomed');

    // Another address is not concerned.
    const other = await socketFrom(gateway, '198.51.100.23');
    await waitFor('welcome for another address', () => other.frames.some((frame) => frame.type === 'welcome'));
    other.socket.close();

    // Closing frees the open slots: one more socket is taken, the fourth counted this minute (the refused
    // one is not counted), and the next new one is over the 4 a minute.
    for (const client of open) {
      client.socket.close();
      await client.closed;
    }
    const again = await socketFrom(gateway, '203.0.113.7');
    await waitFor('welcome after the slots were freed', () => again.frames.some((frame) => frame.type === 'welcome'));
    again.socket.close();
    await again.closed;
    const overRate = await socketFrom(gateway, '203.0.113.7');
    const closed = await Promise.race([
      overRate.closed,
      new Promise<{ code: number }>((resolve) => setTimeout(() => resolve({ code: 0 }), 20_000).unref()),
    ]);
    assert.equal(closed.code, 1008, 'a fifth new socket within the minute is closed');
  });
});
