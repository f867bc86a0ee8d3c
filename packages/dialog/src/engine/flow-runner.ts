/**
 * Walks a flow's nodes from a target until the flow needs the customer
 * (an `ask`) or ends. Everything it says goes into the turn's Reply; what it
 * must remember goes into the DialogState.
 */
import type { CampaignEntry, Channel, Contact } from '@passerelle/core';
import type { ChannelIdentity, ContactRef } from '@passerelle/crm-connectors';
import type { OutboundMeta } from '../bot.js';
import type { BotDefinition } from '../bot-folder/load-bot.js';
import type { AskNode, Flow, FlowNode, Text } from '../bot-folder/schemas.js';
import { type Campaign, windowState } from '../campaigns/campaign-file.js';
import { compileCondition } from '../flows/conditions.js';
import { OPERATIONS } from '../flows/operations.js';
import { render, type Scope } from '../flows/templates.js';
import { validateAnswer } from '../flows/validators.js';
import { type Locale, normalise } from '../text.js';
import { pickText } from './locale.js';
import { DEFAULT_MESSAGES, type MessageName } from './messages.js';
import type { Reply } from './reply.js';
import type { DialogServices } from './services.js';
import type { DialogState, OfferedOption, WaitingAt } from './state.js';

/** A flow that loops through this many nodes without asking anything is a mistake, not a conversation. */
const MAX_STEPS = 50;

export class ConnectorTimeout extends Error {}

export interface TurnParts {
  bot: BotDefinition;
  state: DialogState;
  out: Reply;
  locale: Locale;
  services: DialogServices;
  contact: Contact;
  channel: Channel;
  /** Who wrote, on which channel and account: connectors look people up by it. */
  identity: ChannelIdentity;
  /** What the customer wrote this turn ({{text}} in the engine's own messages). */
  text: string;
}

export class Turn {
  readonly bot: BotDefinition;
  readonly state: DialogState;
  readonly out: Reply;
  locale: Locale;
  readonly services: DialogServices;
  private readonly contact: Contact;
  readonly channel: Channel;
  private readonly text: string;
  private readonly identity: ChannelIdentity;
  /** What the worker puts on this turn's messages (a campaign's id, its purpose and opt-out mention). */
  outbound: OutboundMeta = {};

  constructor(parts: TurnParts) {
    ({ bot: this.bot, state: this.state, out: this.out, locale: this.locale, services: this.services } = parts);
    this.contact = parts.contact;
    this.channel = parts.channel;
    this.text = parts.text;
    this.identity = parts.identity;
  }

  // ---- saying things ----

  say(text: Text): void {
    this.out.text(render(this.pick(text), this.scope(), this.renderContext()));
  }

  message(name: MessageName, values: Record<string, string> = {}): string {
    const text = this.bot.settings.messages[name] ?? DEFAULT_MESSAGES[name];
    return render(this.pick(text), this.scope({ text: this.text, ...values }), this.renderContext());
  }

  pick(text: Text): string {
    return pickText(text, this.locale, this.bot.settings.locales);
  }

  showMenu(intro?: string): void {
    const { menu } = this.bot.settings;
    const text = intro ? `${intro}\n\n${this.pick(menu.text)}` : this.pick(menu.text);
    this.out.choices(
      render(text, this.scope(), this.renderContext()),
      menu.items.map((item) => ({ title: this.pick(item.label), payload: item.target })),
    );
  }

  scope(extra: Scope = {}): Scope {
    const name = this.contact.displayName ?? '';
    const [firstName, ...rest] = name.split(/\s+/).filter(Boolean);
    return {
      ...this.state.vars,
      contact: {
        firstName,
        lastName: rest.join(' ') || undefined,
        name: name || undefined,
        phone: this.contact.phone,
        email: this.contact.email,
        locale: this.locale,
      },
      channel: this.channel,
      bot: { name: this.bot.settings.name },
      ...extra,
    };
  }

  renderContext() {
    return { locale: this.locale, timeZone: this.bot.settings.time_zone };
  }

  // ---- running flows ----

  startFlow(flowId: string): Promise<void> {
    const flow = this.bot.flows.get(flowId);
    if (!flow) return this.fail(`unknown flow ${flowId}`);
    const campaign = this.campaignOfFlow(flow.id);
    if (campaign) return this.enterCampaign(campaign, 'flow');
    return this.run(flow, flow.start);
  }

  // ---- campaigns ----

  campaignOfFlow(flowId: string | undefined): Campaign | undefined {
    if (flowId === undefined) return undefined;
    for (const campaign of this.bot.campaigns.values()) if (campaign.flow === flowId) return campaign;
    return undefined;
  }

  /**
   * Someone comes into a campaign (a keyword, a link, a broadcast, a menu or a
   * flow leading to it). Outside its window they are told when it opens or
   * that it is over, and nothing of the campaign runs.
   */
  async enterCampaign(campaign: Campaign, how: CampaignEntry, at?: string): Promise<void> {
    const flow = this.bot.flows.get(campaign.flow);
    if (!flow) return this.fail(`campaign ${campaign.id}: unknown flow ${campaign.flow}`);
    if (!this.campaignOpen(campaign)) return;
    this.state.misses = 0;
    this.state.campaign = { id: campaign.id, since: this.services.now().toISOString() };
    await this.services.campaignEvent({ campaignId: campaign.id, kind: 'entered', entry: how });
    await this.run(flow, at ?? flow.start);
  }

  /** True within the window; otherwise says when it opens, or that it is over. */
  campaignOpen(campaign: Campaign): boolean {
    const state = windowState(campaign, this.services.now());
    if (state === 'open') return true;
    this.endFlow();
    this.out.text(this.campaignClosedText(campaign, state));
    return false;
  }

  campaignClosedText(campaign: Campaign, state: 'before' | 'after'): string {
    const own = state === 'before' ? campaign.before_start : campaign.after_end;
    const values = {
      campaign: this.pick(campaign.title),
      date: this.formatInstant(campaign.opensAt, campaign.timeZone),
    };
    if (own) return render(this.pick(own), this.scope(values), this.renderContext());
    return this.message(state === 'before' ? 'campaign_not_started' : 'campaign_over', values);
  }

  private formatInstant(instant: Date, timeZone: string): string {
    return new Intl.DateTimeFormat(this.locale === 'fr' ? 'fr-FR' : 'en-GB', {
      dateStyle: 'long',
      timeStyle: 'short',
      timeZone,
    }).format(instant);
  }

  private async campaignMoment(campaign: Campaign | undefined, kind: 'step' | 'completed', node?: string) {
    if (!campaign) return;
    await this.services.campaignEvent({ campaignId: campaign.id, kind, node });
    if (kind === 'step' && node === campaign.goal) {
      await this.services.campaignEvent({ campaignId: campaign.id, kind: 'converted' });
    }
  }

  /** Follows targets from `target` in `flow` until a question or the end. */
  async run(flow: Flow, target: string): Promise<void> {
    let current = flow;
    let campaign = this.campaignOfFlow(flow.id);
    if (campaign) this.outbound.campaignId ??= campaign.id;
    let next: string | undefined = target;
    for (let step = 0; step < MAX_STEPS && next !== undefined; step += 1) {
      if (next === 'end' || next === 'menu') {
        await this.campaignMoment(campaign, 'completed');
        this.endFlow();
        if (next === 'menu') this.showMenu();
        return;
      }
      if (next === 'human') return this.handoff(`asked in flow ${current.id}`, undefined, campaign);
      if (next.startsWith('flow:')) {
        const other = this.bot.flows.get(next.slice(5));
        if (!other) return this.fail(`unknown flow ${next}`);
        const otherCampaign = this.campaignOfFlow(other.id);
        if (otherCampaign && otherCampaign !== campaign) {
          // Leaving one flow for a campaign's: the campaign's window decides, as for any entry.
          await this.campaignMoment(campaign, 'completed');
          return this.enterCampaign(otherCampaign, 'flow');
        }
        current = other;
        campaign = otherCampaign;
        next = other.start;
        continue;
      }
      const node = current.nodes.get(next);
      if (!node) return this.fail(`unknown node ${current.id}/${next}`);
      await this.campaignMoment(campaign, 'step', next);
      next = await this.step(current, next, node);
    }
    if (next !== undefined) await this.fail(`flow ${current.id} ran ${MAX_STEPS} steps without asking anything`);
  }

  /** Runs one node; returns where to go next, or undefined to stop and wait. */
  private async step(flow: Flow, id: string, node: FlowNode): Promise<string | undefined> {
    switch (node.kind) {
      case 'say':
        this.say(node.say);
        return node.next ?? 'end';
      case 'ask':
        this.state.at = { flow: flow.id, node: id, attempts: 0 };
        this.ask(this.state.at, node);
        return undefined;
      case 'call':
        return this.call(node);
      case 'branch': {
        for (const branchCase of node.branch) {
          if ('else' in branchCase) return branchCase.else;
          if (compileCondition(branchCase.if)(this.scope())) return branchCase.goto;
        }
        return 'end';
      }
      case 'set':
        for (const [name, value] of Object.entries(node.set)) {
          this.setVar(name, typeof value === 'string' ? render(value, this.scope(), this.renderContext()) : value);
        }
        return node.next ?? 'end';
      case 'handoff':
        await this.handoff(node.handoff, node.say, this.campaignOfFlow(flow.id));
        return undefined;
      case 'ticket': {
        const scope = this.scope();
        const context = this.renderContext();
        const fields = Object.fromEntries(
          Object.entries(node.ticket.fields).map(([name, value]) => [name, render(value, scope, context)]),
        );
        const ticket = await this.services.createTicket({
          subject: render(node.ticket.subject, scope, context),
          body: render(node.ticket.body, scope, context),
          fields,
          flow: flow.id,
        });
        if (node.save) this.setVar(node.save, ticket);
        return node.next ?? 'end';
      }
      case 'consent': {
        const campaign = this.campaignOfFlow(flow.id);
        if (node.consent === 'opt_in') {
          await this.services.optIn({ source: 'campaign', detail: campaign ? `campaign ${campaign.id}` : flow.id });
        } else {
          await this.services.optOut();
          if (campaign) await this.services.campaignEvent({ campaignId: campaign.id, kind: 'opted_out' });
        }
        return node.next ?? 'end';
      }
      case 'goto':
        return node.goto;
      case 'end':
        if (node.end !== true) this.say(node.end);
        return 'end';
    }
  }

  /** Asks (or asks again) the question of an ask node, with its options. */
  ask(at: WaitingAt, node: AskNode, prefix?: string): void {
    const question = render(this.pick(node.ask), this.scope(), this.renderContext());
    const text = prefix ? `${prefix}\n${question}` : question;
    const options = this.optionsOf(at, node);
    if (options.length > 0) this.out.choices(text, options);
    else this.out.text(text);
  }

  private optionsOf(at: WaitingAt, node: AskNode): OfferedOption[] {
    const payload = (index: number) => `answer:${at.flow}/${at.node}/${index}`;
    if (node.choices)
      return node.choices.map((choice, index) => ({ title: this.pick(choice.label), payload: payload(index) }));
    if (node.choices_from) {
      const items = at.items ?? this.listAt(node.choices_from.list).slice(0, node.choices_from.max);
      at.items = items;
      return items.map((item, index) => ({
        title: render(this.pick(node.choices_from?.label ?? ''), this.scope({ item }), this.renderContext()),
        payload: payload(index),
      }));
    }
    return [];
  }

  private listAt(path: string): unknown[] {
    const value = path
      .split('.')
      .reduce<unknown>((here, key) => (here as Record<string, unknown> | undefined)?.[key], this.state.vars);
    return Array.isArray(value) ? value : [];
  }

  /**
   * The customer's answer to the question the state waits at. Returns false
   * when the message was not an answer at all (a menu button of an older
   * message): the caller then handles it as if no question were pending.
   */
  async answer(text: string, payload: string | undefined): Promise<boolean> {
    const at = this.state.at;
    const flow = at && this.bot.flows.get(at.flow);
    const node = at && flow?.nodes.get(at.node);
    if (!at || !flow || node?.kind !== 'ask') return false;
    const prefix = `answer:${at.flow}/${at.node}/`;
    if (payload && !payload.startsWith(prefix)) return false;

    const result = this.interpret(at, node, text, payload?.slice(prefix.length));
    if (result.ok) {
      this.setVar(node.save, result.value);
      this.state.at = undefined;
      const chosenGoto = result.index !== undefined ? node.choices?.[result.index]?.goto : undefined;
      await this.run(flow, chosenGoto ?? node.next ?? 'end');
      return true;
    }
    at.attempts += 1;
    if (at.attempts > node.retries) {
      this.state.at = undefined;
      this.out.text(this.message('give_up'));
      // Not `run(flow, 'menu')`: giving up on a question is not reaching the flow's end (campaign figures).
      if (node.on_invalid) await this.run(flow, node.on_invalid);
      else this.showMenu();
      return true;
    }
    this.ask(at, node, result.problem);
    return true;
  }

  private interpret(
    at: WaitingAt,
    node: AskNode,
    text: string,
    chosen: string | undefined,
  ): { ok: true; value: unknown; index?: number } | { ok: false; problem: string } {
    const options = this.optionsOf(at, node);
    if (options.length > 0) {
      const index = chosen !== undefined ? Number(chosen) : pickOption(text, options);
      if (index === undefined || !Number.isInteger(index) || index < 0 || index >= options.length) {
        return { ok: false, problem: node.invalid ? this.pick(node.invalid) : this.message('choose_one') };
      }
      const value = node.choices ? (node.choices[index]?.value ?? options[index]?.title) : at.items?.[index];
      return { ok: true, value, index };
    }
    const spec = node.validate ?? { type: 'text' as const };
    const result = validateAnswer(spec, text, {
      locale: this.locale,
      now: this.services.now(),
      timeZone: this.bot.settings.time_zone,
    });
    if (result.ok) return { ok: true, value: result.value };
    return { ok: false, problem: node.invalid ? this.pick(node.invalid) : result.problem };
  }

  private async call(node: FlowNode & { kind: 'call' }): Promise<string | undefined> {
    const operation = OPERATIONS[node.call];
    const connector = operation && this.services.connectors[operation.kind];
    const scope = this.scope();
    const args = Object.fromEntries(
      Object.entries(node.with).map(([name, value]) => [
        name,
        typeof value === 'string' ? render(value, scope, this.renderContext()) : String(value),
      ]),
    );
    try {
      if (!operation || !connector) throw new Error(`no connector for ${node.call}`);
      const outcome = await withTimeout(
        operation.run(this.services.connectors as never, args, {
          contact: this.contactRef(),
          requireOwnership: this.bot.settings.orders.require_ownership,
          now: this.services.now(),
        }),
        this.bot.settings.connector_timeout,
      );
      if (!outcome.found) {
        if (node.on_not_found) return node.on_not_found;
        this.out.text(this.message('not_found'));
        return 'end';
      }
      if (node.save) this.setVar(node.save, outcome.value);
      return node.next ?? 'end';
    } catch (error) {
      this.services.logger?.warn({ err: error, operation: node.call }, 'connector call failed');
      if (node.on_error) return node.on_error;
      this.out.text(this.message('connector_error'));
      return 'end';
    }
  }

  async handoff(reason: string, say?: Text, campaign?: Campaign): Promise<void> {
    // Asked for a person in the middle of a campaign's flow: the campaign's figures count it.
    const inCampaign = campaign ?? this.campaignOfFlow(this.state.at?.flow);
    if (inCampaign) await this.services.campaignEvent({ campaignId: inCampaign.id, kind: 'handoff' });
    this.endFlow();
    const outcome = await this.services.requestHandoff(reason);
    if (!outcome.queued) {
      // Closed: the team's hours, then "leave us a message" when the bot folder has that flow.
      this.out.text(this.message('closed_now', { hours: outcome.hours }));
      const leave = this.bot.settings.leave_message_flow;
      if (leave) await this.startFlow(leave);
      return;
    }
    this.state.handoff = { id: outcome.id, since: this.services.now().toISOString() };
    const intro = say ? render(this.pick(say), this.scope(), this.renderContext()) : this.message('handoff');
    const position =
      this.locale === 'fr' ? (outcome.position === 1 ? '1er' : `${outcome.position}e`) : `number ${outcome.position}`;
    this.out.text(`${intro}\n${this.message('queue_position', { position, minutes: String(outcome.minutes) })}`);
  }

  /** The person as a connector needs them: the gateway's contact plus what this conversation adds. */
  private contactRef(): ContactRef {
    const saved = this.state.vars ?? {};
    const email = this.contact.email ?? (typeof saved.email === 'string' ? saved.email : undefined);
    return {
      id: this.contact.id,
      name: this.contact.displayName ?? (typeof saved.name === 'string' ? saved.name : undefined),
      email,
      phone: this.contact.phone ?? undefined,
      identity: this.identity,
      locale: this.locale,
    };
  }

  endFlow(): void {
    this.state.at = undefined;
  }

  private setVar(name: string, value: unknown): void {
    this.state.vars = { ...this.state.vars, [name]: value };
  }

  /** A broken flow must not leave the customer in silence: say so, log it, show the menu. */
  private async fail(why: string): Promise<void> {
    this.services.logger?.error({ why }, 'flow error');
    this.endFlow();
    this.showMenu(this.message('flow_error'));
  }
}

/** "2", "2.", "n°2" or the option's title typed back. */
export function pickOption(text: string, options: readonly OfferedOption[]): number | undefined {
  const words = normalise(text);
  const number = /^(?:n\s*o?\s*)?(\d{1,2})$/.exec(words.replace(/\s+/g, ' '));
  if (number) return Number(number[1]) - 1;
  if (!words) return undefined;
  const exact = options.findIndex((option) => normalise(option.title) === words);
  if (exact >= 0) return exact;
  const partial = options
    .map((option, index) => ({ index, title: normalise(option.title) }))
    .filter(({ title }) => title.includes(words) || words.includes(title));
  return partial.length === 1 ? partial[0]?.index : undefined;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ConnectorTimeout(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
