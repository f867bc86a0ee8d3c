/**
 * OrderConnector over findOrder and recentOrders. An order is shown to
 * someone only when its mapped owner_email or owner_phone is theirs, and
 * recent orders are checked the same way, sorted newest first and cut to
 * the limit here: the API may ignore a filter, a sort or a limit.
 */
import type { Logger } from '@passerelle/core';
import type { ContactRef, Order, OrderConnector } from '../interfaces.js';
import type { RestClient } from './client.js';
import { type Mapped, number, text } from './mapping.js';
import { personOf, refArgs, samePerson } from './people.js';
import { readItem, readItems } from './results.js';

export function restOrders(client: RestClient, logger?: Logger): OrderConnector {
  const owns = (owner: ContactRef, mapped: Mapped) =>
    samePerson(personOf(owner), { email: text(mapped, 'owner_email'), phone: text(mapped, 'owner_phone') }) === true;

  return {
    async findOrder(number, options = {}) {
      const owner = options.owner;
      const answer = await client.call('findOrder', {
        number: number.trim(),
        ...(owner ? { owner: refArgs(owner) } : {}),
      });
      if (answer.kind !== 'ok' || answer.result === undefined || answer.result === null) return undefined;
      const mapped = readItem(client, 'findOrder', answer.result);
      // Someone else's order is undefined exactly as an unknown number: a guessed number reveals nothing.
      if (owner && !owns(owner, mapped)) return undefined;
      return toOrder(mapped);
    },

    async recentOrders(owner, limit = 5) {
      const answer = await client.call('recentOrders', { owner: refArgs(owner), limit });
      if (answer.kind !== 'ok') return [];
      return readItems(client, 'recentOrders', answer.result, logger)
        .filter((mapped) => owns(owner, mapped))
        .map(toOrder)
        .sort((a, b) => Date.parse(b.placedAt) - Date.parse(a.placedAt))
        .slice(0, Math.max(0, Math.floor(limit)));
    },
  };
}

function toOrder(mapped: Mapped): Order {
  const amount = number(mapped, 'total.amount');
  const currency = text(mapped, 'total.currency');
  const items = mapped.items as Mapped[] | undefined;
  return {
    // readItem made sure of the three required fields.
    number: text(mapped, 'number') as string,
    status: text(mapped, 'status') as string,
    placedAt: text(mapped, 'placedAt') as string,
    total: amount !== undefined && currency ? { amount, currency: currency.toUpperCase() } : undefined,
    trackingUrl: text(mapped, 'trackingUrl'),
    carrier: text(mapped, 'carrier'),
    items: items?.map((item) => ({ name: text(item, 'name') ?? '', quantity: number(item, 'quantity') ?? 1 })),
  };
}
