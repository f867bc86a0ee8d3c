/**
 * A fake of the Acme CRM API on 127.0.0.1, as the real one answers: the
 * contract kit runs the connector against it. Replace it with a fake of your
 * CRM (same idea: an in-memory store behind the documented routes, the
 * documented error bodies, the auth check).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Contact {
  id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
}

export interface FakeAcme {
  url: string;
  contacts: Contact[];
  opportunities: Array<{ id: string; contact_id: string; title: string; type: string }>;
  activities: Array<{ contact_id: string; body: string }>;
  close(): Promise<void>;
}

export async function startFakeAcme(token: string): Promise<FakeAcme> {
  const state = {
    contacts: [] as Contact[],
    opportunities: [] as FakeAcme['opportunities'],
    activities: [] as FakeAcme['activities'],
  };
  let next = 1;
  const server: Server = createServer(async (request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== `Token ${token}`) return send(401, { error: 'invalid_token' });
    const url = new URL(request.url ?? '/', 'http://fake');
    const body = request.method === 'GET' ? {} : await readJson(request);
    if (request.method === 'GET' && url.pathname === '/contacts') {
      const email = url.searchParams.get('email');
      const phone = url.searchParams.get('phone');
      const found = state.contacts.filter(
        (c) => (email && c.email === email.toLowerCase()) || (phone && c.phone === phone),
      );
      return send(200, { contacts: found });
    }
    if (request.method === 'POST' && url.pathname === '/contacts') {
      const contact: Contact = {
        id: `c${next++}`,
        first_name: null,
        last_name: null,
        email: null,
        phone: null,
        ...pick(body),
      };
      state.contacts.push(contact);
      return send(201, contact);
    }
    const patch = /^\/contacts\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'PATCH' && patch) {
      const contact = state.contacts.find((c) => c.id === decodeURIComponent(patch[1] ?? ''));
      if (!contact) return send(404, { error: 'not_found' });
      Object.assign(contact, pick(body));
      return send(200, contact);
    }
    if (request.method === 'POST' && url.pathname === '/opportunities') {
      const opportunity = {
        id: `o${next++}`,
        contact_id: String(body.contact_id),
        title: String(body.title),
        type: String(body.type),
      };
      state.opportunities.push(opportunity);
      return send(201, { id: opportunity.id });
    }
    if (request.method === 'POST' && url.pathname === '/activities') {
      state.activities.push({ contact_id: String(body.contact_id), body: String(body.body) });
      return send(201, {});
    }
    send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ...state,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Only the fields the API knows, and only those sent (a PATCH changes what it names). */
function pick(body: Record<string, unknown>): Partial<Contact> {
  const out: Partial<Contact> = {};
  for (const key of ['first_name', 'last_name', 'email', 'phone'] as const) {
    if (typeof body[key] === 'string') out[key] = body[key] as string;
  }
  return out;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}
