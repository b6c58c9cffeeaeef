// The demo's orders database: a private PostgreSQL cluster (src/dev/postgres.ts) with an `orders`
// table (Riley's order A-1001 and a few others) and a role that may only read it, for the
// PostgreSQL MCP server. The reader's URL is a vault credential (`orders-db-url`): the worker
// passes it to the server's command line on the host; neither the agent nor the terminal sees it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startPostgres, type PostgresCluster } from './postgres.ts';

/** The vault credential holding the read-only URL of the orders database. */
export const ordersCredential = 'orders-db-url';
/** The orders database's port on 127.0.0.1 (next to the demo's other stand-ins). */
export const demoOrdersPort = 4013;

/** One row of the demo's `orders` table, as the seed writes it. */
export interface DemoOrder {
  id: string;
  customer: string;
  item: string;
  amount: number;
  currency: string;
  status: string;
  /** Days before today the parcel was delivered (null: not yet). */
  deliveredDaysAgo: number | null;
}

/** The seeded orders: A-1001 is Riley's damaged parcel. */
export const demoOrders: readonly DemoOrder[] = [
  {
    id: 'A-1001',
    customer: 'Riley Requester',
    item: 'Ceramic teapot, blue',
    amount: 120,
    currency: 'EUR',
    status: 'delivered',
    deliveredDaysAgo: 2,
  },
  {
    id: 'A-1002',
    customer: 'Casey Customer',
    item: 'Hiking boots, size 42',
    amount: 89.5,
    currency: 'EUR',
    status: 'shipped',
    deliveredDaysAgo: null,
  },
  {
    id: 'A-1003',
    customer: 'Dana Doe',
    item: 'Desk lamp',
    amount: 35,
    currency: 'EUR',
    status: 'delivered',
    deliveredDaysAgo: 40,
  },
  {
    id: 'A-1004',
    customer: 'Riley Requester',
    item: 'Tea cups, set of 4',
    amount: 42,
    currency: 'EUR',
    status: 'refunded',
    deliveredDaysAgo: 75,
  },
];

/** A running orders database. */
export interface OrdersDatabase {
  cluster: PostgresCluster;
  /** `postgres://orders_reader:…@127.0.0.1:<port>/orders`: may only read `orders`. */
  readerUrl: string;
  /** Stop the server and remove its directory. */
  stop(): Promise<void>;
}

/**
 * Start the orders database in `dir` (emptied first) on `port`, seed it, and create the reader
 * role; on a failed seed the cluster is stopped again.
 */
export async function startOrdersDatabase(
  options: { dir?: string; port?: number } = {},
): Promise<OrdersDatabase> {
  const cluster = await startPostgres({ ...options, database: 'orders' });
  try {
    const password = randomBytes(12).toString('hex');
    await cluster.query(
      `CREATE TABLE orders (
        id text PRIMARY KEY,
        customer text NOT NULL,
        item text NOT NULL,
        amount numeric(10, 2) NOT NULL,
        currency text NOT NULL,
        status text NOT NULL,
        delivered_on date
      )`,
    );
    for (const o of demoOrders)
      await cluster.query(
        `INSERT INTO orders VALUES ($1, $2, $3, $4, $5, $6, current_date - $7::int)`,
        [o.id, o.customer, o.item, o.amount, o.currency, o.status, o.deliveredDaysAgo],
      );
    // Read-only twice over: the role holds SELECT alone, and its transactions are read-only (the
    // MCP server also runs every query in a READ ONLY transaction).
    // Roles are the superuser's to create; the grants are the owner's to give.
    const admin = new pg.Client({
      connectionString: `postgres://admin:${cluster.adminPassword}@127.0.0.1:${cluster.port}/orders`,
    });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE orders_reader LOGIN PASSWORD '${password}'`);
      await admin.query('ALTER ROLE orders_reader SET default_transaction_read_only = on');
    } finally {
      await admin.end();
    }
    await cluster.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
    await cluster.query('GRANT USAGE ON SCHEMA public TO orders_reader');
    await cluster.query('GRANT SELECT ON orders TO orders_reader');
    return {
      cluster,
      readerUrl: `postgres://orders_reader:${password}@127.0.0.1:${cluster.port}/orders`,
      stop: () => cluster.stop(),
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
