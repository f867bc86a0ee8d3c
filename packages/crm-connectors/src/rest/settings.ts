/**
 * The rest connector's settings in bot.yaml, checked whole at start: every
 * operation name, template argument, path and field is known, and each kind
 * the operations serve has all the operations it needs. A mistake is a
 * ConnectorConfigError naming its place (connectors.orders.operations.findOrder.path).
 */
import { z } from 'zod';
import { CONNECTOR_KINDS, type ConnectorKind } from '../definition.js';
import { Secret } from '../secrets.js';
import { pathProblem } from './json-path.js';
import {
  allowedName,
  isOperationName,
  OPERATION_NAMES,
  type OperationName,
  type OperationSpec,
  operationsOf,
  specOf,
} from './operations.js';
import { bodyStrings, type Json, templateProblem, variablesOf } from './templates.js';

const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? `required: ${what}` : undefined;

const Status = z.number().int().min(100).max(599);
const Scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const Operation = z
  .object({
    method: z.preprocess(
      (value) => (typeof value === 'string' ? value.toUpperCase() : value),
      z.enum(METHODS, { error: `one of ${METHODS.join(', ')}` }).default('GET'),
    ),
    path: z
      .string({ error: required('the path of the call after base_url, like /orders/{{number}}') })
      .startsWith('/', 'starts with /: it follows base_url'),
    query: z.record(z.string(), Scalar).optional(),
    body: z.record(z.string(), z.json()).optional(),
    result: z.string().default('$'),
    map: z.record(z.string(), z.string()).default({}),
    values: z.record(z.string(), z.record(z.string(), Scalar)).optional(),
    not_found: z.array(Status).optional(),
    conflict: z.array(Status).optional(),
  })
  .strict();
export type OperationSettings = z.infer<typeof Operation>;

const HeaderAuth = z
  .object({
    name: z.string().min(1).default('Authorization'),
    value: z.string().default('Bearer {{secret}}'),
    secret: Secret,
  })
  .strict();

const OAuth = z
  .object({
    token_url: z.url({ protocol: /^https?$/, error: 'the URL of the token endpoint' }),
    client_id: Secret,
    client_secret: Secret,
    scope: z.string().min(1).optional(),
    /** RFC 6749 §2.3.1: HTTP Basic (servers must support it), or client_id/client_secret in the form. */
    client_auth: z.enum(['basic', 'body']).default('basic'),
    /** Anything else the token endpoint wants in its form (audience, resource ...). */
    params: z.record(z.string(), Scalar).optional(),
  })
  .strict();

const Auth = z
  .object({ header: HeaderAuth.optional(), oauth: OAuth.optional() })
  .strict()
  .refine((auth) => (auth.header === undefined) !== (auth.oauth === undefined), {
    error: 'one of header or oauth',
  });
export type AuthSettings = z.infer<typeof Auth>;

const Operations = z.record(
  z.string().refine(isOperationName),
  Operation,
  // The key is in the error's path already: connectors.orders.operations.findOrders.
  {
    error: (issue) =>
      issue.code === 'invalid_key' ? `not an operation (they are ${OPERATION_NAMES.join(', ')})` : undefined,
  },
);

export const RestSettings = z
  .object({
    base_url: z.url({ protocol: /^https?$/, error: 'the API address, like https://api.example-shop.com/v1' }),
    /** Sent with every call, as written (API versions, a shop id); secrets go under auth. */
    headers: z.record(z.string(), z.string()).optional(),
    auth: Auth.optional(),
    operations: Operations,
  })
  .strict()
  .superRefine((settings, context) => {
    const problem = (path: Array<string | number>, message: string) =>
      context.addIssue({ code: 'custom', path, message });
    checkAuth(settings.auth, problem);
    for (const [key, value] of Object.entries(settings.headers ?? {})) {
      if (value.includes('{{')) problem(['headers', key], 'headers are sent as written: a secret goes under auth');
    }
    const operations = settings.operations as Partial<Record<OperationName, OperationSettings>>;
    for (const name of OPERATION_NAMES) {
      const operation = operations[name];
      if (operation)
        checkOperation(specOf(name), operation, (path, message) => problem(['operations', name, ...path], message));
    }
    const kinds = servedKinds(operations);
    if (kinds.length === 0) {
      const all = CONNECTOR_KINDS.map((kind) => `${kind}: ${operationsOf(kind).join(', ')}`).join('; ');
      problem(['operations'], `no operation: write those of the kind this connector serves (${all})`);
    }
    for (const kind of kinds) {
      const needed = operationsOf(kind);
      for (const name of needed.filter((name) => !operations[name])) {
        problem(['operations', name], `missing: serving ${kind} needs ${needed.join(', ')}`);
      }
    }
  });
export type RestSettings = z.infer<typeof RestSettings>;

type Problem = (path: Array<string | number>, message: string) => void;

/** The kinds an operation is written for. */
export function servedKinds(operations: Partial<Record<OperationName, unknown>>): ConnectorKind[] {
  return CONNECTOR_KINDS.filter((kind) =>
    OPERATION_NAMES.some((name) => operations[name] && specOf(name).kind === kind),
  );
}

function checkAuth(auth: AuthSettings | undefined, problem: Problem): void {
  if (!auth?.header) return;
  const template = auth.header.value;
  const wrong = templateProblem(template, ['secret']);
  if (wrong) problem(['auth', 'header', 'value'], wrong);
  else if (!variablesOf(template).includes('secret')) {
    problem(
      ['auth', 'header', 'value'],
      'uses {{secret}}: the secret is read from the environment, never written here',
    );
  }
}

function checkOperation(spec: OperationSpec, operation: OperationSettings, problem: Problem): void {
  const templates: Array<{ at: Array<string | number>; template: string }> = [
    { at: ['path'], template: operation.path },
    ...Object.entries(operation.query ?? {}).map(([key, template]) => ({ at: ['query', key], template })),
    ...bodyStrings((operation.body ?? {}) as Json).map(({ at, template }) => ({ at: ['body', ...at], template })),
  ];
  for (const { at, template } of templates) {
    const wrong = templateProblem(template, spec.args);
    if (wrong) problem(at, wrong);
  }
  const used = new Set(templates.flatMap(({ template }) => variablesOf(template)));
  for (const group of spec.mustUse) {
    if (!group.some((name) => used.has(name))) {
      problem([], `uses ${group.map((name) => `{{${name}}}`).join(' or ')} in its path, query or body`);
    }
  }
  if (operation.method === 'GET' && operation.body) problem(['body'], 'a GET has no body: put its values in query');
  const resultProblem = pathProblem(operation.result);
  if (resultProblem) problem(['result'], resultProblem);
  checkMap(spec, operation, problem);
  if (operation.not_found && !spec.notFound) problem(['not_found'], 'has no meaning for this operation');
  if (operation.conflict && !spec.conflict)
    problem(['conflict'], 'has no meaning for this operation (book, reschedule)');
}

function checkMap(spec: OperationSpec, operation: OperationSettings, problem: Problem): void {
  const fields = Object.keys(spec.fields);
  const shown = fields.map((name) => (name.endsWith('.*') ? `${name.slice(0, -1)}<name>` : name)).join(', ');
  for (const [ours, theirs] of Object.entries(operation.map)) {
    if (!allowedName(ours, fields)) {
      problem(
        ['map', ours],
        fields.length ? `not a field here (the fields are ${shown})` : 'this operation reads nothing',
      );
    }
    const wrong = pathProblem(theirs);
    if (wrong) problem(['map', ours], wrong);
    const list = ours.includes('.') ? ours.slice(0, ours.indexOf('.')) : undefined;
    if (list && spec.fields[list] === 'list' && operation.map[list] === undefined) {
      problem(['map', list], `missing: ${ours} is read in each of ${list}, so ${list} says where they are`);
    }
  }
  for (const field of spec.required.filter((name) => operation.map[name] === undefined)) {
    problem(['map', field], `missing: where the answer has the ${field} (relative to result)`);
  }
  if (spec.fields.owner_email && operation.map.owner_email === undefined && operation.map.owner_phone === undefined) {
    // Without them a guessed order number would show a stranger's order.
    problem(['map', 'owner_email'], 'missing: owner_email or owner_phone, compared with the person asking');
  }
  for (const field of Object.keys(operation.values ?? {})) {
    if (operation.map[field] === undefined) problem(['values', field], `${field} is not in map`);
  }
}
