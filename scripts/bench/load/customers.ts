/**
 * Customers of every channel, writing the way each provider delivers their
 * messages: a signed Twilio form post, a Telegram Update with its secret
 * header, a Bot Framework Activity from Teams or Messenger, a WhatsApp Web
 * message model, a web chat frame. Each send says how long the gateway took
 * to acknowledge it (the webhook's 2xx, the socket's ack); WhatsApp has no
 * acknowledgement to time (the library hands messages over in-process).
 */
import { performance } from 'node:perf_hooks';
import { TELEGRAM_CASES_ENV } from '../../../packages/channels/src/telegram/cases.js';
import { inboundSmsForm, signedTwilioRequest, twilioSid } from '../../../packages/channels/src/twilio/cases.js';
import type { FakeSession } from '../../../test/support/fakes/whatsapp.js';
import { BenchVisitor } from '../visitor.js';

export const CHANNELS = ['webchat', 'sms', 'telegram', 'teams', 'messenger', 'whatsapp'] as const;
export type LoadChannel = (typeof CHANNELS)[number];

export interface Sent {
  /** Webhook call or frame -> the gateway's 2xx or ack, in ms; undefined where there is none. */
  ackMs?: number;
}

export interface CustomerSide {
  /** Sends message text from conversation c of a channel. */
  send(channel: LoadChannel, c: number, text: string): Promise<Sent>;
  close(): Promise<void>;
}

export interface CustomerOptions {
  /** Gateway processes, taken in turn (a load balancer's round robin). */
  gatewayUrls: string[];
  whatsapp: FakeSession;
  /** The Bot Connector replies go to (the activities' serviceUrl). */
  serviceUrl: string;
  /** Web chat replies: the token of each bot message and when its frame was read. */
  onWebchatReply(token: string, at: number): void;
  onProblem(problem: string): void;
}

/** A run's ids must not collide with an earlier run's: providers' ids are deduplicated for 48 h. */
const RUN = Date.now() % 1_000_000_000;

export function customers(options: CustomerOptions): CustomerSide {
  let turn = 0;
  let sequence = 0;
  const nextGateway = () => options.gatewayUrls[turn++ % options.gatewayUrls.length] as string;
  const visitors = new Map<number, Promise<BenchVisitor>>();
  const pendingAcks = new Map<string, (at: number) => void>();

  const post = async (path: string, headers: Record<string, string>, body: string): Promise<Sent> => {
    const at = performance.now();
    const response = await fetch(`${nextGateway()}${path}`, { method: 'POST', headers, body });
    await response.arrayBuffer();
    const ackMs = performance.now() - at;
    if (response.status >= 300) throw new Error(`POST ${path} answered ${response.status}`);
    return { ackMs };
  };

  const visitor = (c: number) => {
    let found = visitors.get(c);
    if (!found) {
      found = BenchVisitor.connect(options.gatewayUrls[c % options.gatewayUrls.length] as string, {
        onBotText: (text, at) => {
          const token = /\bk[a-z]+\d+n\d+\b/.exec(text)?.[0];
          if (token) options.onWebchatReply(token, at);
        },
        onAck: (id, at) => pendingAcks.get(id)?.(at),
        onProblem: options.onProblem,
      });
      visitors.set(c, found);
    }
    return found;
  };

  const senders: Record<LoadChannel, (c: number, text: string) => Promise<Sent>> = {
    async webchat(c, text) {
      const socket = await visitor(c);
      const id = `w${RUN}-${++sequence}`;
      const at = performance.now();
      const acked = new Promise<number>((resolve) => pendingAcks.set(id, resolve));
      socket.say(id, text);
      const ackAt = await acked;
      pendingAcks.delete(id);
      return { ackMs: ackAt - at };
    },
    sms(c, text) {
      const from = `+3361${String(c).padStart(7, '0')}`;
      const request = signedTwilioRequest(
        '/webhooks/twilio',
        inboundSmsForm({ sid: twilioSid('SM', RUN * 1_000_000 + ++sequence), from, body: text }),
      );
      return post(request.path, request.headers ?? {}, request.body);
    },
    telegram(c, text) {
      sequence += 1;
      const user = { id: 500_000_000 + c, is_bot: false, first_name: 'Client', language_code: 'fr' };
      const update = {
        update_id: RUN + sequence,
        message: {
          message_id: sequence,
          from: user,
          chat: { id: user.id, first_name: user.first_name, type: 'private' },
          date: Math.floor(Date.now() / 1000),
          text,
        },
      };
      const headers = {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': TELEGRAM_CASES_ENV.TELEGRAM_WEBHOOK_SECRET,
      };
      return post('/webhooks/telegram', headers, JSON.stringify(update));
    },
    teams(c, text) {
      sequence += 1;
      const activity = {
        type: 'message',
        id: `1795${RUN}${sequence}`,
        timestamp: new Date().toISOString(),
        channelId: 'msteams',
        serviceUrl: options.serviceUrl,
        from: { id: `29:load-user-${c}`, name: 'Camille Martin', aadObjectId: `6be0a2c1-5b7d-4b0e-9d5a-${c}` },
        conversation: { conversationType: 'personal', tenantId: 'tenant-load', id: `a:load-${c}` },
        recipient: { id: '28:bot-maison-lumiere', name: 'Maison Lumière' },
        text,
        textFormat: 'plain',
        locale: 'fr-FR',
        channelData: { tenant: { id: 'tenant-load' } },
      };
      return post('/api/messages', { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify(activity));
    },
    messenger(c, text) {
      sequence += 1;
      const psid = `7${String(c).padStart(15, '0')}`;
      const page = { id: '108371234567890', name: 'Maison Lumière' };
      const mid = `m_load${RUN}_${sequence}`;
      const activity = {
        type: 'message',
        id: mid,
        timestamp: new Date().toISOString(),
        serviceUrl: options.serviceUrl,
        channelId: 'facebook',
        from: { id: psid, name: 'Zoé Durand' },
        conversation: { isGroup: false, id: `${psid}-${page.id}` },
        recipient: page,
        text,
        channelData: { sender: { id: psid }, recipient: { id: page.id }, message: { mid, text } },
      };
      return post('/api/messages', { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify(activity));
    },
    async whatsapp(c, text) {
      sequence += 1;
      const from = `3362${String(c).padStart(7, '0')}@c.us`;
      const id = `3EB0${String(RUN).padStart(10, '0')}${String(sequence).padStart(6, '0')}`;
      options.whatsapp.deliver({
        id: { fromMe: false, remote: from, id, _serialized: `false_${from}_${id}` },
        type: 'chat',
        body: text,
        t: Math.floor(Date.now() / 1000),
        from,
        to: '33700000000@c.us',
        ack: 1,
        isNewMsg: true,
        notifyName: 'Client WhatsApp',
        mentionedJidList: [],
        links: [],
      });
      return {};
    },
  };

  return {
    send: (channel, c, text) => senders[channel](c, text),
    async close() {
      const open = await Promise.allSettled(visitors.values());
      await Promise.all(open.map((result) => (result.status === 'fulfilled' ? result.value.close() : undefined)));
    },
  };
}
