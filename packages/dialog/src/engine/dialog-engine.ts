/**
 * One turn of a conversation, in this order:
 *   idle timeout -> bot changed under the conversation -> global commands
 *   -> waiting for a human -> answer to the pending question -> a button
 *   -> greeting -> a flow's trigger words -> FAQ -> "did you mean" / fallback.
 * The engine never sees a channel or a provider: it reads an InboundEvent
 * and writes OutboundParts.
 */

import type { InboundEvent } from '@passerelle/core';
import type { Bot, BotAnswer, BotTurn } from '../bot.js';
import type { BotDefinition } from '../bot-folder/load-bot.js';
import { acceptsChannel, windowState } from '../campaigns/campaign-file.js';
import type { SkipReason } from '../campaigns/decide.js';
import { CampaignEntries } from '../campaigns/entry.js';
import { type Locale, normalise } from '../text.js';
import { type Command, CommandMatcher } from './commands.js';
import { pickOption, Turn } from './flow-runner.js';
import { chooseLocale } from './locale.js';
import { Reply } from './reply.js';
import { type DialogState, readState } from './state.js';

/** How long after a campaign reached someone their STOP still counts against it. */
const OPT_OUT_ATTRIBUTION_MS = 7 * 24 * 3_600_000;

export class DialogEngine implements Bot {
  readonly name: string;
  private readonly commands: CommandMatcher;
  private readonly triggers: Array<{ flow: string; locale: string; phrase: string }>;
  private readonly greetings: string[];
  private readonly campaignEntries: CampaignEntries;

  constructor(readonly bot: BotDefinition) {
    this.name = bot.settings.name;
    this.commands = new CommandMatcher(bot.settings.commands);
    this.triggers = [...bot.flows.values()]
      .flatMap((flow) =>
        Object.entries(flow.triggers).flatMap(([locale, phrases]) =>
          phrases.map((phrase) => ({ flow: flow.id, locale, phrase: normalise(phrase) })),
        ),
      )
      // the longest phrase first: "suivi de commande" before "commande"
      .sort((a, b) => b.phrase.length - a.phrase.length);
    this.greetings = Object.values(bot.settings.greetings).flat().map(normalise);
    this.campaignEntries = new CampaignEntries(bot.campaigns.values());
  }

  async answer({ event, contact, state: raw, services }: BotTurn): Promise<BotAnswer> {
    const { settings } = this.bot;
    const state: DialogState = structuredClone(readState(raw));
    const text = (event.content.text ?? '').trim();
    const payload = event.content.postback?.payload;
    const locale = chooseLocale(
      {
        text: payload ? undefined : text,
        remembered: state.locale,
        sender: event.sender.locale,
        contact: contact.locale,
      },
      settings.locales,
    );
    const out = new Reply();
    const identity = { channel: event.channel, account: event.account, userId: event.sender.id };
    const turn = new Turn({
      bot: this.bot,
      state,
      out,
      locale,
      services,
      contact,
      channel: event.channel,
      identity,
      text,
    });
    const now = services.now();

    // The gateway's own events (a broadcast, the desk) are not the customer coming back: nothing to explain.
    const fromCustomer = event.kind !== 'system';
    const lastActive = state.lastActiveAt ? Date.parse(state.lastActiveAt) : undefined;
    if (lastActive !== undefined && now.getTime() - lastActive > settings.session.idle_timeout) {
      if (state.at && fromCustomer) out.text(turn.message('timed_out'));
      forget(state);
      // Still waiting for a person after all that time: say so again rather than stay silent.
      if (state.handoff) state.handoff.reminded = false;
    }
    if (state.at && !this.bot.flows.get(state.at.flow)?.nodes.has(state.at.node)) {
      if (fromCustomer) out.text(turn.message('updated'));
      forget(state);
    }
    // The campaign ended while this conversation was in its flow: say so, then the normal bot takes over.
    const campaignAt = turn.campaignOfFlow(state.at?.flow);
    if (campaignAt && windowState(campaignAt, now) !== 'open') {
      if (fromCustomer) out.text(turn.campaignClosedText(campaignAt, windowState(campaignAt, now) as 'after'));
      forget(state);
    }

    await this.handle(turn, event, text, payload);

    state.locale = turn.locale;
    state.lastActiveAt = now.toISOString();
    state.botVersion = this.bot.version;
    // Numbers typed back refer to the options of this turn's last choices; none shown: none valid.
    if (out.messages.length > 0) state.offered = out.offered;
    return {
      messages: out.messages,
      state: state as Record<string, unknown>,
      outbound: Object.keys(turn.outbound).length > 0 ? turn.outbound : undefined,
    };
  }

  private async handle(turn: Turn, event: InboundEvent, text: string, payload: string | undefined): Promise<void> {
    const { state } = turn;
    // Only the gateway puts `system` events in a conversation; a channel's postback saying the same is ignored.
    if (event.kind === 'system') return this.system(turn, payload ?? '');
    // One of our links (Telegram's Start button with ?start=, the web chat's data-ref) comes before
    // anything else the message says: the person clicked to get there.
    const ref = event.content.referral?.ref;
    const linked = ref
      ? this.campaignEntries.match({ text: '', ref, channel: event.channel, now: turn.services.now() })
      : undefined;
    // Not over a person: someone talking to (or waiting for) an operator stays with them.
    if (linked && !state.handoff) {
      turn.endFlow();
      return turn.enterCampaign(linked.campaign, linked.how);
    }
    const command = payload ? payloadCommand(payload) : this.commands.match(text);
    if (command) return this.command(turn, command);

    if (state.handoff) {
      const status = await turn.services.handoffStatus(state.handoff.id);
      // A person has the conversation: they answer, the bot stays quiet (commands above still work).
      if (status === 'assigned') return;
      if (status === 'ended') state.handoff = undefined;
    }

    // A photo, a location or a voice note on its own: say what the bot can read instead of "pardon?".
    // (While a person is expected, it is theirs to see.)
    if (!text && !payload && !state.handoff) return turn.out.text(turn.message('only_text'));

    if (state.handoff) {
      if (!state.handoff.reminded) turn.out.text(turn.message('waiting'));
      state.handoff.reminded = true;
      return;
    }
    // A campaign's keyword, link or pre-filled text starts it, even over a pending question (like a trigger).
    const entry = payload
      ? undefined
      : this.campaignEntries.match({
          text,
          ref: event.content.referral?.ref,
          channel: event.channel,
          now: turn.services.now(),
        });
    if (entry) {
      turn.endFlow();
      return turn.enterCampaign(entry.campaign, entry.how);
    }
    if (state.at) {
      if (await this.answerOrDigress(turn, text, payload)) return;
      turn.endFlow();
    }

    const chosen = payload ?? this.typedOption(state, text);
    if (chosen) return this.button(turn, chosen);

    const words = normalise(text);
    if (words && this.isGreeting(words)) {
      state.misses = 0;
      return turn.showMenu();
    }
    const trigger = this.trigger(text);
    if (trigger) return this.startTriggered(turn, trigger);
    return this.faqOrFallback(turn, text);
  }

  /**
   * At a question, a message that is not an answer may still mean something:
   * a flow's trigger words leave the question for that flow; a confident FAQ
   * match is answered and the question asked again (not counted as wrong).
   */
  private async answerOrDigress(turn: Turn, text: string, payload: string | undefined): Promise<boolean> {
    const at = turn.state.at;
    const node = at && this.bot.flows.get(at.flow)?.nodes.get(at.node);
    const strict = node?.kind === 'ask' && Boolean(node.validate || node.choices || node.choices_from);
    if (payload || !at || node?.kind !== 'ask' || !strict) return turn.answer(text, payload);

    const attempts = at.attempts;
    const before = turn.out.messages.length;
    const handled = await turn.answer(text, payload);
    const refused =
      turn.state.at?.node === at.node && turn.state.at.flow === at.flow && turn.state.at.attempts > attempts;
    if (!refused) return handled;
    const trigger = this.trigger(text);
    if (trigger) {
      turn.out.messages.splice(before);
      turn.endFlow();
      await this.startTriggered(turn, trigger);
      return true;
    }
    const match = this.bot.faq?.match(text, turn.locale);
    if (match?.kind === 'answer') {
      turn.out.messages.splice(before);
      at.attempts = attempts;
      turn.out.text(turn.pick(match.entry.answer));
      turn.ask(at, node);
    }
    return handled;
  }

  private trigger(text: string): { flow: string; locale: string } | undefined {
    const words = normalise(text);
    return words ? this.triggers.find((t) => ` ${words} `.includes(` ${t.phrase} `)) : undefined;
  }

  private startTriggered(turn: Turn, trigger: { flow: string; locale: string }): Promise<void> {
    turn.state.misses = 0;
    if (isLocale(trigger.locale, this.bot.settings.locales)) turn.locale = trigger.locale;
    return turn.startFlow(trigger.flow);
  }

  /**
   * The gateway's own events: a broadcast bringing a campaign to this person
   * (campaign:<id>:broadcast:<broadcast>[:tagged]), or what the desk says
   * happened to a handoff (closed by the operator, handed back, nobody came).
   */
  private async system(turn: Turn, payload: string): Promise<void> {
    if (payload.startsWith('campaign:')) return this.broadcast(turn, payload);
    const [scope, what, id] = payload.split(':');
    if (scope !== 'handoff' || !turn.state.handoff || turn.state.handoff.id !== id) return;
    turn.state.handoff = undefined;
    if (what === 'closed') return turn.out.text(turn.message('operator_closed'));
    if (what === 'handback') return turn.showMenu(turn.message('handed_back'));
    if (what === 'expired') {
      turn.out.text(turn.message('nobody_free'));
      const leave = this.bot.settings.leave_message_flow;
      if (leave) await turn.startFlow(leave);
    }
  }

  /**
   * A broadcast's first message for this person. Checked again here, in the
   * conversation's turn, because things changed since the dispatcher looked:
   * a STOP just before, the window closed, a person now talking to an operator.
   */
  private async broadcast(turn: Turn, payload: string): Promise<void> {
    const [, campaignId = '', , broadcastId = '', tagged] = payload.split(':');
    const { state, services } = turn;
    const skip = (reason: SkipReason) => services.broadcastHandled(broadcastId, { skipped: reason });
    const campaign = this.bot.campaigns.get(campaignId);
    if (!campaign) return skip('campaign_removed');
    const window = windowState(campaign, services.now());
    if (window !== 'open') return skip(window === 'before' ? 'campaign_not_started' : 'campaign_ended');
    if (!acceptsChannel(campaign, turn.channel)) return skip('channel_not_in_campaign');
    const consent = await services.consent();
    if (consent !== 'opted_in') return skip(consent === 'opted_out' ? 'opted_out' : 'no_opt_in');
    if (state.handoff) return skip('with_an_operator');
    // In the middle of something (an order, a booking): a promotion now would throw it away.
    if (state.at) return skip('in_a_conversation');

    const notice = campaign.broadcast.stop_notice
      ? turn.pick(campaign.broadcast.stop_notice)
      : turn.message('campaign_stop_notice');
    turn.outbound = {
      purpose: 'campaign',
      campaignId: campaign.id,
      optOutNotice: notice,
      ...(tagged === 'tagged' && campaign.broadcast.messenger_tag
        ? { messageTag: campaign.broadcast.messenger_tag }
        : {}),
    };
    await turn.enterCampaign(campaign, 'broadcast', campaign.broadcast.start);
    if (turn.out.messages.length === 0) return skip('nothing_to_say');
    return services.broadcastHandled(broadcastId, { messaged: true });
  }

  private async command(turn: Turn, command: Command): Promise<void> {
    const { state, services } = turn;
    switch (command) {
      case 'stop': {
        await this.countOptOut(turn);
        forget(state);
        // Confirmed once: a second STOP gets no answer (it would be one more message to someone who said stop).
        if (await services.optOut()) turn.out.text(turn.message('stopped'));
        return;
      }
      case 'start': {
        // START is the carriers' word to subscribe (again): a yes to our messages, kept as such.
        const before = await services.consent();
        if (await services.optIn()) turn.out.text(turn.message(before === 'opted_out' ? 'restarted' : 'subscribed'));
        return turn.showMenu();
      }
      case 'menu':
        if (state.handoff) await services.cancelHandoff(state.handoff.id);
        state.handoff = undefined;
        forget(state);
        return turn.showMenu();
      case 'help': {
        turn.out.text(turn.message('help'));
        const at = state.at;
        const node = at && this.bot.flows.get(at.flow)?.nodes.get(at.node);
        if (at && node?.kind === 'ask') turn.ask(at, node);
        return;
      }
      case 'human':
        if (state.handoff) {
          turn.out.text(turn.message('waiting'));
          return;
        }
        return turn.handoff('asked for a person');
    }
  }

  /** A STOP within a week of a campaign reaching this person counts in that campaign's opt-outs. */
  private async countOptOut(turn: Turn): Promise<void> {
    const reached = turn.state.campaign;
    if (!reached || !this.bot.campaigns.has(reached.id)) return;
    if (turn.services.now().getTime() - Date.parse(reached.since) > OPT_OUT_ATTRIBUTION_MS) return;
    if ((await turn.services.consent()) === 'opted_out') return;
    await turn.services.campaignEvent({ campaignId: reached.id, kind: 'opted_out' });
  }

  private async button(turn: Turn, payload: string): Promise<void> {
    turn.state.misses = 0;
    if (payload.startsWith('flow:')) return turn.startFlow(payload.slice(5));
    if (payload.startsWith('faq:')) {
      const entry = this.bot.faq?.entry(payload.slice(4));
      if (entry) return turn.out.text(turn.pick(entry.answer));
    }
    if (payload === 'none') return this.offerHelp(turn);
    if (payload === 'leave-message' && this.bot.settings.leave_message_flow) {
      return turn.startFlow(this.bot.settings.leave_message_flow);
    }
    // An answer button of a question that is no longer pending, or something unknown: the menu helps most.
    return turn.showMenu();
  }

  private async faqOrFallback(turn: Turn, text: string): Promise<void> {
    const { state } = turn;
    const match = text ? this.bot.faq?.match(text, turn.locale) : undefined;
    if (match?.kind === 'answer') {
      state.misses = 0;
      if (isLocale(match.locale, this.bot.settings.locales)) turn.locale = match.locale;
      return turn.out.text(turn.pick(match.entry.answer));
    }
    if (match?.kind === 'unsure') {
      if (isLocale(match.locale, this.bot.settings.locales)) turn.locale = match.locale;
      return turn.out.choices(turn.message('did_you_mean'), [
        ...match.candidates.map(({ entry }) => ({ title: turn.pick(entry.title), payload: `faq:${entry.id}` })),
        { title: turn.message('none_of_these'), payload: 'none' },
      ]);
    }
    state.misses = (state.misses ?? 0) + 1;
    const offerAfter = this.bot.settings.fallback.offer_help_after;
    if (offerAfter === 0 || state.misses < offerAfter) return turn.out.text(turn.message('not_understood'));
    return this.offerHelp(turn);
  }

  /** After the bot failed twice: a person, a message for later, or the menu. Never silence. */
  private offerHelp(turn: Turn): void {
    turn.state.misses = 0;
    const options = [{ title: turn.message('talk_to_someone'), payload: 'human' }];
    if (this.bot.settings.leave_message_flow)
      options.push({ title: turn.message('leave_a_message'), payload: 'leave-message' });
    options.push({ title: turn.message('back_to_menu'), payload: 'menu' });
    turn.out.choices(turn.message('offer_help'), options);
  }

  private typedOption(state: DialogState, text: string): string | undefined {
    if (!state.offered || state.offered.length === 0) return undefined;
    const index = pickOption(text, state.offered);
    return index === undefined ? undefined : state.offered[index]?.payload;
  }

  private isGreeting(words: string): boolean {
    // "Bonjour !" or "bonjour, je voudrais..." when short; a long message starting with hello is a question.
    const count = words.split(' ').length;
    return this.greetings.some((greeting) => words === greeting || (count <= 3 && words.startsWith(`${greeting} `)));
  }
}

function payloadCommand(payload: string): Command | undefined {
  return payload === 'menu' || payload === 'human' || payload === 'help' ? payload : undefined;
}

function forget(state: DialogState): void {
  state.at = undefined;
  state.vars = {};
  state.offered = undefined;
  state.misses = 0;
}

function isLocale(value: string, supported: readonly Locale[]): value is Locale {
  return (supported as readonly string[]).includes(value);
}
