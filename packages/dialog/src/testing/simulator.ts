/**
 * A conversation with a bot folder, in memory: no Redis, no queue, no
 * channel. `gateway chat` types into it and scripted conversation tests
 * (script.ts) drive it. The clock is the simulator's own, so an idle timeout
 * can be tried without waiting half an hour.
 */
import {
  type Channel,
  type ConsentState,
  type Contact,
  type InboundContent,
  inboundEvent,
  type OutboundPart,
} from '@passerelle/core';
import type { ConnectorSet } from '@passerelle/crm-connectors';
import type { BotState, OutboundMeta } from '../bot.js';
import type { BotDefinition } from '../bot-folder/load-bot.js';
import { DialogEngine } from '../engine/dialog-engine.js';
import type { BroadcastOutcome, CampaignMoment, DialogServices, TicketRequest } from '../engine/services.js';
import { ticketReference } from '../engine/worker-services.js';

export interface SimulatorOptions {
  channel?: Channel;
  /** What the channel says of the customer's language (a browser's, Telegram's), if anything. */
  locale?: string;
  name?: string;
  phone?: string;
  email?: string;
  /** Where the clock starts. */
  now?: Date;
  connectors?: ConnectorSet;
  /** The team's answer to a handoff: queued (default) or closed with these hours. */
  teamClosed?: { hours: string } | undefined;
}

/** One message from the bot as a person sees it: its text and the options offered with it. */
export interface BotMessage {
  text: string;
  options: Array<{ title: string; payload: string }>;
}

export class ConversationSimulator {
  readonly tickets: Array<TicketRequest & { id: string }> = [];
  readonly handoffs: Array<{
    id: string;
    reason: string;
    cancelled: boolean;
    status: 'waiting' | 'assigned' | 'ended';
  }> = [];
  optedOut = false;
  /** Said yes to campaign messages (START, a flow's consent node, or given by the test). */
  optedIn = false;
  /** What the campaign results would count, in order. */
  readonly campaignEvents: CampaignMoment[] = [];
  readonly broadcasts: Array<{ broadcastId: string; outcome: BroadcastOutcome }> = [];
  state: BotState = {};
  /** The options of the bot's last message that had some. */
  lastOptions: BotMessage['options'] = [];
  private clock: number;
  private counter = 0;
  private engine: DialogEngine;
  private readonly contact: Contact;

  constructor(
    bot: BotDefinition,
    private readonly options: SimulatorOptions = {},
  ) {
    this.engine = new DialogEngine(bot);
    this.clock = (options.now ?? new Date()).getTime();
    this.contact = {
      id: 'ct_simulator',
      displayName: options.name ?? null,
      phone: options.phone ?? null,
      email: options.email ?? null,
      locale: null,
    };
  }

  /** Swaps the bot for a new version mid-conversation, as a hot reload does. */
  replaceBot(bot: BotDefinition): void {
    this.engine = new DialogEngine(bot);
  }

  get now(): Date {
    return new Date(this.clock);
  }

  advance(ms: number): void {
    this.clock += ms;
  }

  say(text: string): Promise<BotMessage[]> {
    return this.send({ text }, 'message');
  }

  /** Presses an option of the last message that had options: by its number (1-based) or its title. */
  press(choice: string | number): Promise<BotMessage[]> {
    const option =
      typeof choice === 'number'
        ? this.lastOptions[choice - 1]
        : this.lastOptions.find((candidate) => candidate.title.toLowerCase() === choice.toLowerCase());
    if (!option) {
      const offered = this.lastOptions.map((o, i) => `${i + 1}. ${o.title}`).join(', ') || 'none';
      throw new Error(`no option "${choice}" to press (offered: ${offered})`);
    }
    return this.send({ postback: { payload: option.payload, title: option.title } }, 'postback');
  }

  /** The customer arrives through one of our links (Telegram's ?start=, the web chat's data-ref). */
  openLink(ref: string, text = ''): Promise<BotMessage[]> {
    return this.send({ ...(text ? { text } : {}), referral: { ref } }, 'message');
  }

  /** A broadcast of this campaign reaches the conversation, as the dispatcher's system event does. */
  receiveBroadcast(campaignId: string, options: { broadcastId?: string; tagged?: boolean } = {}) {
    const broadcastId = options.broadcastId ?? 'bc_simulator';
    const payload = `campaign:${campaignId}:broadcast:${broadcastId}${options.tagged ? ':tagged' : ''}`;
    return this.send({ postback: { payload, title: 'broadcast' } }, 'system');
  }

  /** A button press with any payload, as a channel would send it (buttons the bot did not offer included). */
  pressPayload(payload: string): Promise<BotMessage[]> {
    return this.send({ postback: { payload, title: payload } }, 'postback');
  }

  /** An operator takes the last handoff (the bot then stays quiet). */
  operatorTakes(): void {
    const handoff = this.handoffs.at(-1);
    if (handoff) handoff.status = 'assigned';
  }

  /** The operator closes the conversation, hands it back, or nobody came: what the desk tells the conversation. */
  operatorEnds(how: 'closed' | 'handback' | 'expired'): Promise<BotMessage[]> {
    const handoff = this.handoffs.at(-1);
    if (!handoff) throw new Error('no handoff to end');
    handoff.status = 'ended';
    return this.send({ postback: { payload: `handoff:${how}:${handoff.id}`, title: how } }, 'system');
  }

  /** Everything the bot said in reply to the last event, with what the worker would put on the messages. */
  lastAnswer: { outbound?: OutboundMeta | undefined } = {};

  private async send(content: InboundContent, kind: 'message' | 'postback' | 'system') {
    this.counter += 1;
    const channel = this.options.channel ?? 'webchat';
    const event = inboundEvent({
      channel,
      account: 'simulator',
      providerMessageId: `sim-${this.counter}`,
      thread: 'simulator',
      sender: { id: 'simulator', ...(this.options.locale ? { locale: this.options.locale } : {}) },
      receivedAt: this.now,
      kind,
      content,
    });
    const answer = await this.engine.answer({
      event,
      contact: this.contact,
      state: this.state,
      services: this.services(event.id),
    });
    this.state = answer.state;
    this.lastAnswer = { outbound: answer.outbound };
    const messages = answer.messages.map(toBotMessage);
    const withOptions = messages.filter((message) => message.options.length > 0).at(-1);
    if (withOptions) this.lastOptions = withOptions.options;
    else if (messages.length > 0) this.lastOptions = [];
    return messages;
  }

  private services(eventId: string): DialogServices {
    return {
      connectors: this.options.connectors ?? {},
      optOut: async () => {
        const changed = !this.optedOut;
        this.optedOut = true;
        this.optedIn = false;
        return changed;
      },
      optIn: async () => {
        const changed = this.optedOut || !this.optedIn;
        this.optedOut = false;
        this.optedIn = true;
        return changed;
      },
      consent: async (): Promise<ConsentState> => (this.optedOut ? 'opted_out' : this.optedIn ? 'opted_in' : 'unknown'),
      campaignEvent: async (moment) => {
        const seen = this.campaignEvents.some(
          (e) => e.campaignId === moment.campaignId && e.kind === moment.kind && e.node === moment.node,
        );
        if (!seen) this.campaignEvents.push(moment);
      },
      broadcastHandled: async (broadcastId, outcome) => {
        this.broadcasts.push({ broadcastId, outcome });
      },
      requestHandoff: async (reason) => {
        if (this.options.teamClosed) return { queued: false, hours: this.options.teamClosed.hours };
        const id = `ho_sim_${this.handoffs.length + 1}`;
        this.handoffs.push({ id, reason, cancelled: false, status: 'waiting' });
        const position = this.handoffs.filter((h) => h.status === 'waiting').length;
        return { queued: true, id, position, minutes: 4 * position };
      },
      handoffStatus: async (id) => this.handoffs.find((candidate) => candidate.id === id)?.status ?? 'ended',
      cancelHandoff: async (id) => {
        const handoff = this.handoffs.find((candidate) => candidate.id === id);
        if (handoff) {
          handoff.cancelled = true;
          handoff.status = 'ended';
        }
      },
      createTicket: async (ticket) => {
        const id = ticketReference(eventId, ticket.subject);
        this.tickets.push({ ...ticket, id });
        return { id };
      },
      now: () => this.now,
    };
  }
}

function toBotMessage(parts: OutboundPart[]): BotMessage {
  const texts: string[] = [];
  const options: BotMessage['options'] = [];
  for (const part of parts) {
    if ('text' in part) texts.push(part.text);
    if (part.type === 'quickReplies') options.push(...part.replies);
    if (part.type === 'buttons') options.push(...part.buttons);
    if (part.type === 'list') options.push(...part.items.map(({ title, payload }) => ({ title, payload })));
    if (part.type === 'card') {
      texts.push(part.title);
      options.push(...(part.buttons ?? []));
    }
  }
  return { text: texts.join('\n'), options };
}

/** How a message looks in a terminal: the text, then its options numbered. */
export function formatBotMessage(message: BotMessage): string {
  const options = message.options.map((option, index) => `  ${index + 1}. ${option.title}`);
  return [message.text, ...options].join('\n');
}
