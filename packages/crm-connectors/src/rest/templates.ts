/**
 * `{{name}}` and `{{a.b}}` in a path, a query value or a body: the call's
 * arguments, nothing more (no filters, no expressions), so what a setting
 * sends is plain to read in bot.yaml.
 *
 * A value that is a lone `{{x}}` with no value is left out (a query
 * parameter, a body key): an update then leaves that field alone instead of
 * blanking it. Inside other text a missing value is empty. In a path it
 * cannot be left out: the call is not made (MissingArgumentError).
 */
import { allowedName } from './operations.js';

export type ArgValue = string | number | undefined | Args;
export interface Args {
  [name: string]: ArgValue;
}

/** JSON as YAML gives it: a body template. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const VARIABLE = /\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}/g;
const LONE = /^\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}$/;

export class MissingArgumentError extends Error {
  constructor(readonly argument: string) {
    super(`{{${argument}}} has no value, so the call cannot be made`);
    this.name = 'MissingArgumentError';
  }
}

export function variablesOf(template: string): string[] {
  return [...template.matchAll(VARIABLE)].map((match) => match[1] as string);
}

/** What is wrong with a template, given the arguments it may use; undefined when nothing. */
export function templateProblem(template: string, allowed: readonly string[]): string | undefined {
  if (/\{\{|\}\}/.test(template.replace(VARIABLE, ''))) {
    return `"${template}": a template is {{name}} or {{a.b}}, nothing else between the braces`;
  }
  const unknown = variablesOf(template).find((name) => !allowedName(name, allowed));
  if (unknown === undefined) return undefined;
  const shown = allowed.map((name) => (name.endsWith('.*') ? `${name.slice(0, -1)}<name>` : name));
  return `unknown argument {{${unknown}}} (this operation has ${shown.join(', ')})`;
}

export function lookup(args: Args, name: string): string | number | undefined {
  let current: ArgValue = args;
  for (const step of name.split('.')) {
    if (current === undefined || typeof current !== 'object') return undefined;
    current = current[step];
  }
  if (typeof current === 'string') return current.length > 0 ? current : undefined;
  return typeof current === 'number' ? current : undefined;
}

export function render(template: string, args: Args, encode: (text: string) => string = String): string {
  return template.replace(VARIABLE, (_, name: string) => {
    const value = lookup(args, name);
    return value === undefined ? '' : encode(String(value));
  });
}

/** A lone `{{x}}` keeps its value as it is (a number stays a number), and is undefined when missing. */
export function renderValue(template: string, args: Args): string | number | undefined {
  const lone = LONE.exec(template);
  return lone ? lookup(args, lone[1] as string) : render(template, args);
}

/** Each argument URL-encoded: a number "A 12/3" stays one path segment. */
export function renderPath(template: string, args: Args): string {
  const missing = variablesOf(template).find((name) => lookup(args, name) === undefined);
  if (missing !== undefined) throw new MissingArgumentError(missing);
  return render(template, args, encodeURIComponent);
}

export function renderQuery(query: Readonly<Record<string, string>>, args: Args): string {
  const parts: string[] = [];
  for (const [key, template] of Object.entries(query)) {
    const value = renderValue(template, args);
    if (value !== undefined) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

export function renderBody(body: Json, args: Args): Json | undefined {
  if (typeof body === 'string') return renderValue(body, args);
  if (Array.isArray(body)) {
    return body.map((item) => renderBody(item, args)).filter((item): item is Json => item !== undefined);
  }
  if (body === null || typeof body !== 'object') return body;
  const rendered: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(body)) {
    const inner = renderBody(value, args);
    if (inner !== undefined) rendered[key] = inner;
  }
  return rendered;
}

/** Every string in a body template, with where it is (for error paths). */
export function bodyStrings(body: Json, at: string[] = []): Array<{ at: string[]; template: string }> {
  if (typeof body === 'string') return [{ at, template: body }];
  if (Array.isArray(body)) return body.flatMap((item, index) => bodyStrings(item, [...at, String(index)]));
  if (body === null || typeof body !== 'object') return [];
  return Object.entries(body).flatMap(([key, value]) => bodyStrings(value, [...at, key]));
}
