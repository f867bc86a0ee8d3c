/**
 * A fake HubSpot CRM API v3 on 127.0.0.1 for the hubspot connector's tests:
 * contacts, deals, tickets and notes kept in memory, the search endpoint
 * (filterGroups OR-ed, filters AND-ed, its limits of 5 groups, 6 filters a
 * group and 18 in all), associations checked against HubSpot's default type
 * ids, the Bearer token checked, and HubSpot's error bodies: 401
 * INVALID_AUTHENTICATION, 409 CONFLICT on a duplicate email ("Existing ID"),
 * 400 VALIDATION_ERROR, 404, and 429 RATE_LIMIT with policyName from a
 * ten-secondly rolling window (or forced with rateLimitNext). Every request
 * is recorded.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeObjectType = 'contacts' | 'deals' | 'tickets' | 'notes';

export interface FakeAssociation {
  toObjectType: FakeObjectType;
  toObjectId: string;
  associationCategory: string;
  associationTypeId: number;
}

export interface FakeObject {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  associations: FakeAssociation[];
  /** false: not in search results yet (HubSpot indexes new records a few seconds late). */
  indexed: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeHubspotOptions {
  /** The private app token the fake accepts. */
  token?: string;
  /** Requests allowed per rolling 10 seconds (HubSpot: 100 for a private app on Free/Starter). */
  tenSecondlyLimit?: number;
}

export interface ForcedLimit {
  policyName?: 'TEN_SECONDLY_ROLLING' | 'DAILY';
  retryAfterSeconds?: number;
  path?: RegExp;
}

export interface FakeHubspot {
  url: string;
  token: string;
  requests: RecordedRequest[];
  objects: Record<FakeObjectType, Map<string, FakeObject>>;
  seedContact(properties: Record<string, string>, options?: { indexed?: boolean }): FakeObject;
  /** The next `count` authenticated requests (to `path` when given) answer 429, as HubSpot does at a limit. */
  rateLimitNext(count: number, options?: ForcedLimit): void;
  /** Requests to paths matching, counted: what a retry test checks. */
  count(method: string, path: string | RegExp): number;
  close(): Promise<void>;
}

/** The properties each object accepts (a subset of HubSpot's defaults, plus a custom contact property `tier`). */
const KNOWN_PROPERTIES: Record<FakeObjectType, string[]> = {
  contacts: [
    'email',
    'firstname',
    'lastname',
    'phone',
    'mobilephone',
    'company',
    'jobtitle',
    'lifecyclestage',
    'hs_language',
    'city',
    'country',
    'tier',
  ],
  deals: ['dealname', 'pipeline', 'dealstage', 'description', 'amount', 'closedate', 'hubspot_owner_id'],
  tickets: ['subject', 'content', 'hs_pipeline', 'hs_pipeline_stage', 'hs_ticket_priority', 'hubspot_owner_id'],
  notes: ['hs_note_body', 'hs_timestamp', 'hubspot_owner_id'],
};
const SYSTEM_PROPERTIES = ['createdate', 'lastmodifieddate', 'hs_object_id'];
/** What HubSpot returns when no properties are asked for. */
const DEFAULT_PROPERTIES: Record<FakeObjectType, string[]> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  deals: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_object_id', 'pipeline'],
  tickets: ['content', 'createdate', 'hs_pipeline', 'hs_pipeline_stage', 'hs_object_id', 'subject'],
  notes: ['createdate', 'hs_note_body', 'hs_object_id', 'hs_timestamp'],
};
/** Required on create. */
const REQUIRED: Record<FakeObjectType, string[]> = {
  contacts: [],
  deals: ['dealname', 'dealstage'],
  tickets: ['subject', 'hs_pipeline', 'hs_pipeline_stage'],
  notes: ['hs_timestamp'],
};
/** Every account's default pipelines. */
const DEAL_PIPELINES: Record<string, string[]> = {
  default: [
    'appointmentscheduled',
    'qualifiedtobuy',
    'presentationscheduled',
    'decisionmakerboughtin',
    'contractsent',
    'closedwon',
    'closedlost',
  ],
};
const TICKET_PIPELINES: Record<string, string[]> = { '0': ['1', '2', '3', '4'] };
/** HubSpot-defined association type ids, from -> to. */
const ASSOCIATION_TYPES: Record<string, number> = {
  'deals->contacts': 3,
  'contacts->deals': 4,
  'contacts->tickets': 15,
  'tickets->contacts': 16,
  'contacts->notes': 201,
  'notes->contacts': 202,
};

class HubspotError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}

const error = (status: number, category: string, message: string, extra: Record<string, unknown> = {}) =>
  new HubspotError(status, { status: 'error', message, correlationId: randomUUID(), category, ...extra });

export async function startFakeHubspot(options: FakeHubspotOptions = {}): Promise<FakeHubspot> {
  const token = options.token ?? 'pat-na1-11111111-2222-3333-4444-555555555555';
  const limit = options.tenSecondlyLimit ?? 100;
  const requests: RecordedRequest[] = [];
  const objects: Record<FakeObjectType, Map<string, FakeObject>> = {
    contacts: new Map(),
    deals: new Map(),
    tickets: new Map(),
    notes: new Map(),
  };
  let nextId = 101;
  let forced: ForcedLimit[] = [];
  let window: number[] = [];

  const insert = (type: FakeObjectType, properties: Record<string, string>, indexed = true): FakeObject => {
    const id = String(nextId++);
    const now = new Date().toISOString();
    const object: FakeObject = {
      id,
      properties: { ...properties, createdate: now, lastmodifieddate: now, hs_object_id: id },
      createdAt: now,
      updatedAt: now,
      associations: [],
      indexed,
    };
    objects[type].set(id, object);
    return object;
  };

  const render = (type: FakeObjectType, object: FakeObject, names: string[] | undefined) => {
    const wanted = names ?? DEFAULT_PROPERTIES[type];
    const properties: Record<string, string | null> = {};
    for (const name of [...new Set([...wanted, ...SYSTEM_PROPERTIES])])
      properties[name] = object.properties[name] ?? null;
    return { id: object.id, properties, createdAt: object.createdAt, updatedAt: object.updatedAt, archived: false };
  };

  /** What a write answers: the defaults and what was written. */
  const renderWrite = (type: FakeObjectType, object: FakeObject, written: Record<string, string>) =>
    render(type, object, [...DEFAULT_PROPERTIES[type], ...Object.keys(written)]);

  const checkProperties = (type: FakeObjectType, input: unknown): Record<string, string> => {
    if (!input || typeof input !== 'object') throw error(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1');
    const problems: Array<Record<string, unknown>> = [];
    const properties: Record<string, string> = {};
    for (const [name, value] of Object.entries(input)) {
      if (!KNOWN_PROPERTIES[type].includes(name)) {
        problems.push({
          isValid: false,
          message: `Property "${name}" does not exist`,
          error: 'PROPERTY_DOESNT_EXIST',
          name,
        });
      } else if (typeof value !== 'string') {
        problems.push({
          isValid: false,
          message: `${String(value)} was not a valid string.`,
          error: 'INVALID_STRING',
          name,
        });
      } else {
        properties[name] = value;
      }
    }
    if (problems.length > 0) {
      throw error(400, 'VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify(problems)}`);
    }
    return properties;
  };

  const checkPipeline = (type: FakeObjectType, properties: Record<string, string>) => {
    const [pipelineName, stageName, pipelines] =
      type === 'deals'
        ? ['pipeline', 'dealstage', DEAL_PIPELINES]
        : type === 'tickets'
          ? ['hs_pipeline', 'hs_pipeline_stage', TICKET_PIPELINES]
          : [undefined, undefined, {}];
    if (!pipelineName || !stageName) return;
    const pipeline = properties[pipelineName] ?? 'default';
    const stages = (pipelines as Record<string, string[]>)[pipeline];
    const stage = properties[stageName];
    if (!stages || (stage !== undefined && !stages.includes(stage))) {
      throw error(
        400,
        'VALIDATION_ERROR',
        `Property values were not valid: ${JSON.stringify([{ isValid: false, message: `${stage} was not one of the allowed options`, error: 'INVALID_OPTION', name: stageName }])}`,
      );
    }
  };

  const checkAssociations = (type: FakeObjectType, input: unknown): FakeAssociation[] => {
    if (input === undefined) return [];
    if (!Array.isArray(input)) throw error(400, 'VALIDATION_ERROR', 'Invalid input JSON: associations');
    const found: FakeAssociation[] = [];
    for (const association of input as Array<{ to?: { id?: unknown }; types?: unknown }>) {
      const toId = String(association.to?.id ?? '');
      const target = (Object.keys(objects) as FakeObjectType[]).find((kind) => objects[kind].has(toId));
      if (!target) throw error(400, 'VALIDATION_ERROR', `One or more associations are invalid: no object ${toId}`);
      for (const t of (association.types ?? []) as Array<{
        associationCategory?: unknown;
        associationTypeId?: unknown;
      }>) {
        const expected = ASSOCIATION_TYPES[`${type}->${target}`];
        if (t.associationCategory !== 'HUBSPOT_DEFINED' || expected === undefined || t.associationTypeId !== expected) {
          throw error(
            400,
            'VALIDATION_ERROR',
            `${String(t.associationCategory)} ${String(t.associationTypeId)} is not a valid association type between ${type} and ${target}`,
          );
        }
        found.push({
          toObjectType: target,
          toObjectId: toId,
          associationCategory: 'HUBSPOT_DEFINED',
          associationTypeId: expected,
        });
      }
    }
    return found;
  };

  const duplicateEmail = (email: string | undefined, except?: string) =>
    email === undefined
      ? undefined
      : [...objects.contacts.values()].find((c) => c.id !== except && c.properties.email === email);

  const create = (type: FakeObjectType, body: { properties?: unknown; associations?: unknown }) => {
    const properties = checkProperties(type, body.properties ?? {});
    if (properties.email) properties.email = properties.email.trim().toLowerCase();
    const missing = REQUIRED[type].filter((name) => !properties[name]);
    if (missing.length > 0) {
      throw error(400, 'VALIDATION_ERROR', `Property values were not valid: missing required ${missing.join(', ')}`);
    }
    checkPipeline(type, properties);
    const associations = checkAssociations(type, body.associations);
    const existing = type === 'contacts' ? duplicateEmail(properties.email) : undefined;
    if (existing) throw error(409, 'CONFLICT', `Contact already exists. Existing ID: ${existing.id}`);
    const object = insert(type, properties);
    object.associations = associations;
    return { status: 201, body: renderWrite(type, object, properties) };
  };

  const update = (type: FakeObjectType, id: string, body: { properties?: unknown }) => {
    const object = objects[type].get(id);
    if (!object) throw error(404, 'OBJECT_NOT_FOUND', 'resource not found');
    const properties = checkProperties(type, body.properties ?? {});
    if (properties.email) properties.email = properties.email.trim().toLowerCase();
    const other = type === 'contacts' ? duplicateEmail(properties.email, id) : undefined;
    if (other)
      throw error(
        409,
        'CONFLICT',
        `A contact with the email ${properties.email} already exists. Existing ID: ${other.id}`,
      );
    checkPipeline(type, { ...object.properties, ...properties });
    for (const [name, value] of Object.entries(properties)) {
      // HubSpot clears a property written as an empty string.
      if (value === '') delete object.properties[name];
      else object.properties[name] = value;
    }
    object.updatedAt = new Date().toISOString();
    object.properties.lastmodifieddate = object.updatedAt;
    return { status: 200, body: renderWrite(type, object, properties) };
  };

  const search = (type: FakeObjectType, body: Record<string, unknown>) => {
    const groups = (body.filterGroups ?? []) as Array<{ filters?: Array<Record<string, unknown>> }>;
    const total = groups.reduce((n, group) => n + (group.filters?.length ?? 0), 0);
    if (groups.length > 5 || groups.some((g) => (g.filters?.length ?? 0) > 6) || total > 18) {
      throw error(400, 'VALIDATION_ERROR', 'There was a problem with the request: too many filters or filter groups');
    }
    const matches = (object: FakeObject, filter: Record<string, unknown>) => {
      const value = object.properties[String(filter.propertyName)];
      const wanted = String(filter.value ?? '').toLowerCase();
      switch (filter.operator) {
        case 'EQ':
          return value !== undefined && value.toLowerCase() === wanted;
        case 'NEQ':
          return value === undefined || value.toLowerCase() !== wanted;
        case 'HAS_PROPERTY':
          return value !== undefined;
        case 'NOT_HAS_PROPERTY':
          return value === undefined;
        default:
          throw error(400, 'VALIDATION_ERROR', `Unsupported operator ${String(filter.operator)}`);
      }
    };
    let found = [...objects[type].values()].filter(
      (object) =>
        object.indexed &&
        (groups.length === 0 || groups.some((group) => (group.filters ?? []).every((f) => matches(object, f)))),
    );
    const sorts = (body.sorts ?? []) as Array<{ propertyName?: string; direction?: string }>;
    const sort = sorts[0];
    if (sort?.propertyName) {
      const name = sort.propertyName;
      const sign = sort.direction === 'DESCENDING' ? -1 : 1;
      found = found.sort(
        (a, b) =>
          sign * (a.properties[name] ?? '').localeCompare(b.properties[name] ?? '') || Number(a.id) - Number(b.id),
      );
    }
    const limit = Math.min(200, Number(body.limit ?? 10));
    const after = Number(body.after ?? 0);
    const page = found.slice(after, after + limit);
    const names = Array.isArray(body.properties) ? body.properties.map(String) : undefined;
    return {
      status: 200,
      body: {
        total: found.length,
        results: page.map((object) => render(type, object, names)),
        ...(after + limit < found.length ? { paging: { next: { after: String(after + limit) } } } : {}),
      },
    };
  };

  const rateLimit = (path: string): Record<string, string> => {
    const now = Date.now();
    window = window.filter((at) => at > now - 10_000);
    const index = forced.findIndex((entry) => !entry.path || entry.path.test(path));
    const forcedNow = index >= 0 ? forced.splice(index, 1)[0] : undefined;
    const headers = {
      'X-HubSpot-RateLimit-Max': String(limit),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, limit - window.length - 1)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
    };
    if (forcedNow || window.length >= limit) {
      const policyName = forcedNow?.policyName ?? 'TEN_SECONDLY_ROLLING';
      throw new HubspotError(
        429,
        {
          status: 'error',
          message: `You have reached your ${policyName.toLowerCase()} limit.`,
          errorType: 'RATE_LIMIT',
          correlationId: randomUUID(),
          policyName,
          requestId: randomUUID(),
        },
        {
          ...headers,
          ...(forcedNow?.retryAfterSeconds !== undefined ? { 'Retry-After': String(forcedNow.retryAfterSeconds) } : {}),
        },
      );
    }
    window.push(now);
    return headers;
  };

  const route = (method: string, path: string, query: URLSearchParams, body: Record<string, unknown>) => {
    const match = /^\/crm\/v3\/objects\/(contacts|deals|tickets|notes)(?:\/([^/]+))?$/.exec(path);
    if (!match) throw error(404, 'OBJECT_NOT_FOUND', `No route for ${method} ${path}`);
    const type = match[1] as FakeObjectType;
    const rest = match[2] && decodeURIComponent(match[2]);
    if (method === 'POST' && rest === 'search') return search(type, body);
    if (method === 'POST' && !rest) return create(type, body);
    if (method === 'PATCH' && rest) return update(type, rest, body);
    if (method === 'GET' && rest) {
      const object = objects[type].get(rest);
      if (!object) throw error(404, 'OBJECT_NOT_FOUND', 'resource not found');
      const names = query.get('properties')?.split(',').filter(Boolean);
      return { status: 200, body: render(type, object, names) };
    }
    throw error(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    let body: Record<string, unknown> = {};
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
      body: parsed,
    });
    try {
      if (req.headers.authorization !== `Bearer ${token}`) {
        throw error(
          401,
          'INVALID_AUTHENTICATION',
          'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
        );
      }
      const limitHeaders = rateLimit(url.pathname);
      if (parsed !== undefined && (typeof parsed !== 'object' || parsed === null)) {
        throw error(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1');
      }
      body = (parsed ?? {}) as Record<string, unknown>;
      const answer = route(req.method ?? 'GET', url.pathname, url.searchParams, body);
      // HubSpot leaves its rate limit headers off search responses.
      send(answer.status, answer.body, url.pathname.endsWith('/search') ? {} : limitHeaders);
    } catch (caught) {
      if (caught instanceof HubspotError) send(caught.status, caught.body, caught.headers);
      else
        send(500, {
          status: 'error',
          message: String(caught),
          correlationId: randomUUID(),
          category: 'INTERNAL_ERROR',
        });
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    objects,
    seedContact(properties, seedOptions) {
      const clean = { ...properties };
      if (clean.email) clean.email = clean.email.toLowerCase();
      return insert('contacts', clean, seedOptions?.indexed ?? true);
    },
    rateLimitNext(count, rateOptions) {
      for (let i = 0; i < count; i++) forced.push({ ...rateOptions });
    },
    count(method, path) {
      return requests.filter(
        (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
      ).length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        forced = [];
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
