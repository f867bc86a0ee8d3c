/**
 * Branch conditions, written the way a spreadsheet user would:
 *   order.status == "shipped" and order.total.amount > 100
 * compiled by filtrex (a sandboxed expression language: no access to anything
 * but the values given to it) rather than by a parser of our own.
 */
import { compileExpression } from 'filtrex';
import { lookup, type Scope } from './templates.js';

export type Condition = (scope: Scope) => boolean;

const FUNCTIONS = {
  /** exists(order.trackingUrl): the value is set and not empty */
  exists: (value: unknown) => value !== undefined && value !== null && value !== '',
  /** count(slots.items) */
  count: (value: unknown) => (Array.isArray(value) ? value.length : 0),
  lower: (value: unknown) => String(value ?? '').toLowerCase(),
};

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'of', 'if', 'then', 'else', 'true', 'false', 'mod', 'null']);

/** Throws an Error whose message says what is wrong with the expression. */
export function compileCondition(expression: string): Condition {
  const compiled = compileExpression(expression, {
    extraFunctions: FUNCTIONS,
    // Dotted names are paths into the scope; a missing one is "not set" (undefined), never an error.
    customProp: (name: string, _get: unknown, scope: unknown) => lookup(scope as Scope, name) ?? null,
  });
  return (scope) => {
    const result: unknown = compiled(scope);
    if (result instanceof Error) throw result;
    return Boolean(result);
  };
}

/** The variable paths an expression reads, for the load-time check of unknown variables. */
export function conditionRefs(expression: string): string[] {
  const withoutStrings = expression.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ');
  const refs: string[] = [];
  for (const match of withoutStrings.matchAll(/[A-Za-z_][\w.]*(\s*\()?/g)) {
    const name = match[0].replace(/\s*\($/, '');
    if (match[1] || KEYWORDS.has(name)) continue;
    refs.push(name);
  }
  return refs;
}
