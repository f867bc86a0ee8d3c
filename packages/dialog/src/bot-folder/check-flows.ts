/**
 * The checks that need the whole bot folder at once: every `next` and `goto`
 * names a node or flow that exists, every {{variable}} is something a node
 * sets (with the fields it really has), every call names a known operation
 * with its arguments and a configured connector, every text exists in every
 * language the bot speaks. Each problem points at its file and line.
 */

import { MESSAGE_NAMES } from '../engine/messages.js';
import type { FaqIndex } from '../faq/faq-index.js';
import { compileCondition, conditionRefs } from '../flows/conditions.js';
import { ANY, describeShape, OPERATIONS, object, type Shape, shapeAt, VALUE } from '../flows/operations.js';
import { FILTERS, templateRefs } from '../flows/templates.js';
import type { BotSettings, Flow, FlowNode, Text } from './schemas.js';
import type { PathSegment, Problem, YamlSource } from './yaml-source.js';

export interface BotParts {
  settings: BotSettings;
  botSource: YamlSource;
  flows: Map<string, Flow>;
  flowFiles: Map<Flow, YamlSource>;
  faq: FaqIndex | undefined;
  /** Nodes entered from outside besides a flow's start (a campaign's broadcast start), by flow. */
  otherStarts?: ReadonlyMap<string, readonly string[]>;
}

/** What every flow can read without setting it. */
export const BUILT_IN_VARIABLES: Record<string, Shape> = {
  contact: object({ firstName: VALUE, lastName: VALUE, name: VALUE, phone: VALUE, email: VALUE, locale: VALUE }),
  channel: VALUE,
  bot: object({ name: VALUE }),
};

/** Targets that are not nodes of the flow. */
export const SPECIAL_TARGETS = ['menu', 'human', 'end'] as const;

export function checkBot(parts: BotParts): { problems: Problem[]; warnings: Problem[] } {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const variables = collectVariables(parts, problems);
  const locales = parts.settings.locales;

  /** `prefix` names the node ("node \"lookup\": ") so every problem of a node reads the same way. */
  const checkText = (source: YamlSource, path: PathSegment[], text: Text, scope = variables, prefix = '') => {
    if (typeof text === 'string') return checkTemplate(source, path, text, scope, prefix);
    for (const locale of locales) {
      if (!(locale in text)) {
        problems.push(
          source.problem(path, `${prefix}missing the "${locale}" text (the bot speaks ${locales.join(', ')})`),
        );
      }
    }
    for (const [locale, version] of Object.entries(text)) {
      if (!locales.includes(locale as never)) {
        const message = `${prefix}"${locale}" is not one of the bot's locales (${locales.join(', ')})`;
        problems.push(source.problem(path, message, locale));
      }
      // Each language's own line: a mistake in the English text is not on the French line.
      checkTemplate(source, [...path, locale], version, scope, prefix);
    }
  };

  const checkTemplate = (source: YamlSource, path: PathSegment[], template: string, scope = variables, prefix = '') => {
    for (const ref of templateRefs(template)) {
      const problem = refProblem(ref.path, scope) ?? filterProblem(ref.filter);
      if (problem) problems.push(source.problem(path, `${prefix}${problem}`));
    }
  };

  for (const flow of parts.flows.values()) {
    const source = parts.flowFiles.get(flow);
    if (!source) continue;
    checkText(source, ['title'], flow.title);
    for (const locale of Object.keys(flow.triggers)) {
      if (!locales.includes(locale as never)) {
        problems.push(source.problem(['triggers'], `"${locale}" is not one of the bot's locales`, locale));
      }
    }
    if (!flow.nodes.has(flow.start)) {
      problems.push(
        source.problem(
          ['start'],
          `start node "${flow.start}" does not exist (nodes: ${[...flow.nodes.keys()].join(', ')})`,
        ),
      );
    }
    for (const [id, node] of flow.nodes) {
      const at: PathSegment[] = ['nodes', id];
      const inNode = (message: string) => `node "${id}": ${message}`;
      const text = (path: PathSegment[], value: Text, scope = variables) =>
        checkText(source, path, value, scope, `node "${id}": `);
      const template = (path: PathSegment[], value: string) =>
        checkTemplate(source, path, value, variables, `node "${id}": `);
      const target = (key: string, value: string | undefined, path: PathSegment[] = [...at, key]) => {
        const problem = value === undefined ? undefined : targetProblem(value, flow, parts);
        if (problem) problems.push(source.problem(path, inNode(problem)));
      };
      if ('next' in node) target('next', node.next);
      switch (node.kind) {
        case 'say':
          text([...at, 'say'], node.say);
          break;
        case 'ask': {
          text([...at, 'ask'], node.ask);
          if (node.invalid) text([...at, 'invalid'], node.invalid);
          target('on_invalid', node.on_invalid);
          node.choices?.forEach((choice, index) => {
            text([...at, 'choices', index, 'label'], choice.label);
            target('goto', choice.goto, [...at, 'choices', index, 'goto']);
          });
          if (node.choices_from) {
            const list = shapeOf(node.choices_from.list, variables);
            if (list?.kind !== 'list' && list?.kind !== 'any') {
              const why = refProblem(node.choices_from.list, variables) ?? `"${node.choices_from.list}" is not a list`;
              problems.push(source.problem([...at, 'choices_from', 'list'], inNode(why)));
            } else {
              const item = list.kind === 'list' ? list.item : ANY;
              text([...at, 'choices_from', 'label'], node.choices_from.label, { ...variables, item });
            }
          }
          break;
        }
        case 'call': {
          const operation = OPERATIONS[node.call];
          if (!operation) {
            problems.push(
              source.problem(
                [...at, 'call'],
                inNode(`unknown operation "${node.call}" (known: ${Object.keys(OPERATIONS).join(', ')})`),
              ),
            );
            break;
          }
          if (!parts.settings.connectors[operation.kind]) {
            problems.push(
              source.problem(
                [...at, 'call'],
                inNode(
                  `${node.call} needs ${operation.kind === 'orders' ? 'an' : 'a'} ${operation.kind} connector: add "connectors: { ${operation.kind}: demo }" (or another) to bot.yaml`,
                ),
              ),
            );
          }
          for (const name of operation.required) {
            if (!(name in node.with))
              problems.push(source.problem([...at, 'with'], inNode(`${node.call} needs "${name}" in with`)));
          }
          for (const [name, value] of Object.entries(node.with)) {
            if (!operation.required.includes(name) && !operation.optional.includes(name)) {
              const accepted = [...operation.required, ...operation.optional].join(', ') || 'nothing';
              problems.push(
                source.problem(
                  [...at, 'with'],
                  inNode(`${node.call} takes no "${name}" (it takes: ${accepted})`),
                  name,
                ),
              );
            }
            if (typeof value === 'string') template([...at, 'with', name], value);
          }
          target('on_not_found', node.on_not_found);
          target('on_error', node.on_error);
          break;
        }
        case 'branch':
          node.branch.forEach((branchCase, index) => {
            const path = [...at, 'branch', index];
            if ('else' in branchCase) {
              target('else', branchCase.else, [...path, 'else']);
              if (index !== node.branch.length - 1)
                problems.push(source.problem(path, inNode('"else" must be the last case')));
              return;
            }
            try {
              compileCondition(branchCase.if);
            } catch (error) {
              problems.push(
                source.problem(
                  [...path, 'if'],
                  inNode(
                    `condition ${branchCase.if} is not valid (${oneLine(error)}); compare with == != < <= > >=, ` +
                      'combine with and, or, not, and quote text "like this"',
                  ),
                ),
              );
            }
            for (const ref of conditionRefs(branchCase.if)) {
              const problem = refProblem(ref, variables);
              if (problem) problems.push(source.problem([...path, 'if'], inNode(problem)));
            }
            target('goto', branchCase.goto, [...path, 'goto']);
          });
          break;
        case 'set':
          for (const [name, value] of Object.entries(node.set)) {
            if (typeof value === 'string') template([...at, 'set', name], value);
          }
          break;
        case 'handoff':
          if (node.say) text([...at, 'say'], node.say);
          break;
        case 'ticket':
          template([...at, 'ticket', 'subject'], node.ticket.subject);
          template([...at, 'ticket', 'body'], node.ticket.body);
          for (const [name, value] of Object.entries(node.ticket.fields)) {
            template([...at, 'ticket', 'fields', name], value);
          }
          break;
        case 'goto':
          target('goto', node.goto);
          break;
        case 'consent':
          break;
        case 'end':
          if (node.end !== true) text([...at, 'end'], node.end);
          break;
      }
    }
    for (const id of unreachable(flow, parts.otherStarts?.get(flow.id) ?? [])) {
      warnings.push(source.problem(['nodes', id], `node "${id}" cannot be reached from "${flow.start}"`, id));
    }
  }

  const bot = parts.botSource;
  checkText(bot, ['menu', 'text'], parts.settings.menu.text);
  parts.settings.menu.items.forEach((item, index) => {
    checkText(bot, ['menu', 'items', index, 'label'], item.label);
    const problem = menuTargetProblem(item.target, parts);
    if (problem) problems.push(bot.problem(['menu', 'items', index, 'target'], problem));
  });
  // What the engine's own sentences may show: the message, a queue place and wait, the team's hours.
  const messageScope = { ...BUILT_IN_VARIABLES, text: VALUE, position: VALUE, minutes: VALUE, hours: VALUE };
  for (const [name, text] of Object.entries(parts.settings.messages)) {
    if (!(MESSAGE_NAMES as readonly string[]).includes(name)) {
      problems.push(
        bot.problem(['messages'], `unknown message "${name}" (messages: ${MESSAGE_NAMES.join(', ')})`, name),
      );
    }
    checkText(bot, ['messages', name], text, messageScope);
  }
  const leave = parts.settings.leave_message_flow;
  if (leave && !parts.flows.has(leave)) {
    problems.push(
      bot.problem(['leave_message_flow'], `unknown flow "${leave}" (flows: ${[...parts.flows.keys()].join(', ')})`),
    );
  }
  return { problems, warnings };
}

/** Every variable a node sets, with what it holds. Two nodes saving different things under one name: anything goes. */
function collectVariables(parts: BotParts, problems: Problem[]): Record<string, Shape> {
  const variables: Record<string, Shape> = { ...BUILT_IN_VARIABLES };
  const saved = new Set<string>();
  const define = (name: string, shape: Shape, source: YamlSource, path: PathSegment[]) => {
    if (name in BUILT_IN_VARIABLES) {
      problems.push(source.problem(path, `"${name}" is a built-in variable; save under another name`));
      return;
    }
    const before = variables[name];
    variables[name] = saved.has(name) && before && JSON.stringify(before) !== JSON.stringify(shape) ? ANY : shape;
    saved.add(name);
  };
  const asks: Array<[FlowNode & { kind: 'ask' }, YamlSource, PathSegment[]]> = [];
  for (const flow of parts.flows.values()) {
    const source = parts.flowFiles.get(flow);
    if (!source) continue;
    for (const [id, node] of flow.nodes) {
      const path: PathSegment[] = ['nodes', id, 'save'];
      if (node.kind === 'call' && node.save) define(node.save, OPERATIONS[node.call]?.result ?? ANY, source, path);
      if (node.kind === 'ticket' && node.save) define(node.save, object({ id: VALUE }), source, path);
      if (node.kind === 'set')
        for (const name of Object.keys(node.set)) define(name, VALUE, source, ['nodes', id, 'set']);
      if (node.kind === 'ask') asks.push([node, source, path]);
    }
  }
  // Asks last: a choices_from answer holds one item of a list that a call saved.
  for (const [node, source, path] of asks) {
    const list = node.choices_from ? shapeOf(node.choices_from.list, variables) : undefined;
    define(node.save, list?.kind === 'list' ? list.item : node.choices_from ? ANY : VALUE, source, path);
  }
  return variables;
}

function shapeOf(path: string, variables: Record<string, Shape>): Shape | undefined {
  const [root, ...rest] = path.split('.');
  const shape = root === undefined ? undefined : variables[root];
  return shape && shapeAt(shape, rest);
}

function refProblem(path: string, variables: Record<string, Shape>): string | undefined {
  const [root = '', ...rest] = path.split('.');
  const shape = variables[root];
  if (!shape) {
    const known = Object.keys(variables).sort().join(', ');
    return `unknown variable "${root}" (in ${path}; known here: ${known})`;
  }
  let current = shape;
  for (const [index, segment] of rest.entries()) {
    const next = shapeAt(current, [segment]);
    if (!next) {
      const owner = [root, ...rest.slice(0, index)].join('.');
      return `"${owner}" has no field "${segment}" (it has: ${describeShape(current)})`;
    }
    current = next;
  }
  return undefined;
}

function filterProblem(filter: string | undefined): string | undefined {
  if (filter === undefined || (FILTERS as readonly string[]).includes(filter)) return undefined;
  return `unknown filter "${filter}" (filters: ${FILTERS.join(', ')})`;
}

function targetProblem(target: string, flow: Flow, parts: BotParts): string | undefined {
  if ((SPECIAL_TARGETS as readonly string[]).includes(target)) return undefined;
  if (target.startsWith('flow:')) {
    const id = target.slice(5);
    return parts.flows.has(id) ? undefined : `unknown flow "${id}" (flows: ${[...parts.flows.keys()].join(', ')})`;
  }
  if (flow.nodes.has(target)) return undefined;
  return `unknown node "${target}" (nodes of ${flow.id}: ${[...flow.nodes.keys()].join(', ')}; or flow:<id>, ${SPECIAL_TARGETS.join(', ')})`;
}

function menuTargetProblem(target: string, parts: BotParts): string | undefined {
  if (target === 'human') return undefined;
  if (target.startsWith('flow:')) {
    return parts.flows.has(target.slice(5))
      ? undefined
      : `unknown flow "${target.slice(5)}" (flows: ${[...parts.flows.keys()].join(', ')})`;
  }
  if (target.startsWith('faq:')) {
    if (!parts.faq) return `"${target}" needs a faq.yaml in the bot folder`;
    if (parts.faq.entry(target.slice(4))) return undefined;
    return `unknown FAQ entry "${target.slice(4)}" (entries: ${parts.faq.ids().join(', ')})`;
  }
  return `a menu target is flow:<id>, faq:<id> or human, not "${target}"`;
}

/** Nodes no path from the start reaches: usually a typo in a `next`. */
function unreachable(flow: Flow, otherStarts: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [flow.start, ...otherStarts];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    if (seen.has(id) || !flow.nodes.has(id)) continue;
    seen.add(id);
    queue.push(...targetsOf(flow.nodes.get(id) as FlowNode));
  }
  return [...flow.nodes.keys()].filter((id) => !seen.has(id));
}

export function targetsOf(node: FlowNode): string[] {
  const targets: Array<string | undefined> = 'next' in node ? [node.next] : [];
  if (node.kind === 'ask') targets.push(node.on_invalid, ...(node.choices ?? []).map((choice) => choice.goto));
  if (node.kind === 'call') targets.push(node.on_not_found, node.on_error);
  if (node.kind === 'goto') targets.push(node.goto);
  if (node.kind === 'branch') targets.push(...node.branch.map((c) => ('else' in c ? c.else : c.goto)));
  return targets.filter((target): target is string => target !== undefined);
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
