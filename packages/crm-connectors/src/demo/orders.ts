/**
 * Order status from demo_orders. An order belongs to a contact when its
 * customer email or phone is one we know for that contact.
 */
import type { Db } from '@passerelle/core';
import type { Order, OrderConnector } from '../interfaces.js';
import { contactKeys } from './contact-keys.js';
import type { DemoSeed } from './seed-schema.js';

interface OrderRow {
  number: string;
  customer_email: string | null;
  customer_phone: string | null;
  status: string;
  placed_at: Date;
  total_amount: string | number | null;
  currency: string | null;
  tracking_url: string | null;
  items: Array<{ name: string; quantity: number }> | null;
}

const COLUMNS =
  'number, customer_email, customer_phone, status, placed_at, total_amount, currency, tracking_url, items';

export function demoOrders(db: Db, seed: DemoSeed): OrderConnector {
  // demo_orders has no carrier column; the seed, loaded in memory anyway, has it.
  const carriers = new Map(seed.orders.map((order) => [order.number, order.carrier]));
  const toOrder = (row: OrderRow): Order => ({
    number: row.number,
    status: row.status,
    placedAt: new Date(row.placed_at).toISOString(),
    total:
      row.total_amount === null ? undefined : { amount: Number(row.total_amount), currency: row.currency ?? 'EUR' },
    trackingUrl: row.tracking_url ?? undefined,
    carrier: carriers.get(row.number),
    items: row.items ?? [],
  });

  return {
    async findOrder(number, options = {}) {
      const { rows } = await db.query<OrderRow>(`select ${COLUMNS} from demo_orders where number = $1`, [
        number.trim().toUpperCase(),
      ]);
      const row = rows[0];
      if (!row) return undefined;
      if (options.owner !== undefined) {
        const keys = await contactKeys(db, options.owner.id);
        const mine =
          (row.customer_email !== null && keys.emails.includes(row.customer_email.toLowerCase())) ||
          (row.customer_phone !== null && keys.phones.includes(row.customer_phone));
        if (!mine) return undefined;
      }
      return toOrder(row);
    },

    async recentOrders(owner, limit = 5) {
      const keys = await contactKeys(db, owner.id);
      if (keys.emails.length === 0 && keys.phones.length === 0) return [];
      const { rows } = await db.query<OrderRow>(
        `select ${COLUMNS} from demo_orders
          where lower(customer_email) = any($1::text[]) or customer_phone = any($2::text[])
          order by placed_at desc, number desc
          limit $3`,
        [keys.emails, keys.phones, Math.max(0, Math.floor(limit))],
      );
      return rows.map(toOrder);
    },
  };
}
