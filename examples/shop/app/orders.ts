/**
 * The shop's order code, written for the orders-currency change (../changes/orders-currency.yaml) and
 * deployed between `lockstep apply … --until expand` and the rest of the change (docs/app.md):
 *
 * - every insert writes currency: the column has no default, so once the contract phase starts an
 *   insert without it fails — this code must be live before that;
 * - every read handles NULL: rows the backfill has not reached yet have none, and nothing here invents
 *   a value for them;
 * - showing the currency to customers is a feature, behind a flag (SHOP_SHOW_CURRENCY=on), turned on
 *   when `lockstep status` says every existing row is filled — independently of any deploy.
 *
 * After the contract phase (status: "is NOT NULL: code may rely on it"), `currency: string | null`
 * may become `string` (`lockstep types … --phase contract` prints it) and the flag can go.
 * `lockstep app-check changes/orders-currency.yaml app` finds nothing to fix in this file.
 */
import type pg from 'pg';

export interface Flags {
  /** Include the currency in order responses. */
  showCurrency: boolean;
}

export function flagsFrom(env: Record<string, string | undefined>): Flags {
  return { showCurrency: env.SHOP_SHOW_CURRENCY === 'on' };
}

/** A row of orders as node-postgres returns it (bigint comes back as a string). */
export interface OrderRow {
  id: string;
  customer_id: string;
  total_cents: string;
  /** NULL until the backfill reaches the row; NOT NULL once the change's contract phase is applied. */
  currency: string | null;
}

type Queryable = Pick<pg.Pool | pg.PoolClient | pg.Client, 'query'>;

const COLUMNS = 'id, customer_id, total_cents, currency';

export async function placeOrder(db: Queryable, order: { customerId: string | number; totalCents: number; currency: string }): Promise<OrderRow> {
  const r = await db.query<OrderRow>(`INSERT INTO orders (customer_id, total_cents, currency) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`, [
    order.customerId,
    order.totalCents,
    order.currency,
  ]);
  return r.rows[0]!;
}

export async function getOrder(db: Queryable, id: string | number): Promise<OrderRow | undefined> {
  const r = await db.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE id = $1`, [id]);
  return r.rows[0];
}

export interface OrderResponse {
  id: string;
  total: string;
  /** Present when the flag is on and the row has one. */
  currency?: string;
}

export function toResponse(row: OrderRow, flags: Flags): OrderResponse {
  const res: OrderResponse = { id: row.id, total: (Number(row.total_cents) / 100).toFixed(2) };
  if (flags.showCurrency && row.currency !== null) res.currency = row.currency.trim();
  return res;
}
