import { Cluster, Redis as SingleRedis } from 'ioredis';
import { EDGE_COMMAND_TIMEOUT_MS } from './availability.js';

/**
 * A connection to our Redis: one server (REDIS_URL) or a Redis Cluster
 * (REDIS_CLUSTER_NODES). Both run the same commands; what differs is only
 * that on a cluster every Lua script, MULTI and multi-key command must keep
 * its keys in one slot (see names.ts).
 */
export type Redis = SingleRedis | Cluster;

/** Where Redis is: one server, or the seed nodes of a cluster (the rest are discovered). */
export interface RedisSettings {
  /** redis:// or rediss:// URL of the single server; unused when clusterNodes is set. */
  url: string;
  /** Seed nodes of a Redis Cluster, each host:port or a redis(s):// URL. */
  clusterNodes?: string[] | undefined;
}

export interface ConnectOptions {
  /**
   * For the gateway's edge (webhooks, the web chat socket), where a caller is waiting and can be
   * told to come back: a command fails at once while the connection is down or not ready (no
   * offline queue), a command in flight when it drops fails then (no resend after the
   * reconnect), and a command Redis does not answer fails after EDGE_COMMAND_TIMEOUT_MS.
   * Never for workers or BullMQ's blocking connections, which must wait Redis out. See
   * availability.ts.
   */
  failFast?: boolean;
}

/**
 * One place that opens Redis connections. `maxRetriesPerRequest: null` is
 * what BullMQ requires of the connections its workers block on; we use the
 * same settings everywhere so a connection can be shared with BullMQ: with
 * the offline queue, a command waits through a Redis restart rather than
 * fail. A fail-fast connection (options.failFast) is for the edge only.
 * A URL string stands for one server.
 */
export function connectRedis(target: string | RedisSettings, name: string, options: ConnectOptions = {}): Redis {
  const settings = typeof target === 'string' ? { url: target } : target;
  if (settings.clusterNodes && settings.clusterNodes.length > 0) {
    return connectCluster(settings.clusterNodes, name, options);
  }
  return new SingleRedis(settings.url, {
    enableReadyCheck: true,
    connectionName: name,
    // Reconnect forever with a capped delay: Redis restarts must not kill the process.
    retryStrategy: reconnectDelay,
    ...(options.failFast ? FAIL_FAST : { maxRetriesPerRequest: null }),
  });
}

/**
 * No offline queue, no retry of a command cut off by a disconnection (0: in-flight commands are
 * failed when the connection drops, instead of resent after the reconnect), and a bound on each
 * command. BullMQ accepts these on a connection used only to add jobs (a Queue); it requires
 * `maxRetriesPerRequest: null` only of the connections its workers block on.
 */
const FAIL_FAST = { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: EDGE_COMMAND_TIMEOUT_MS };

const reconnectDelay = (times: number) => Math.min(times * 200, 5_000);

function connectCluster(nodes: string[], name: string, options: ConnectOptions): Cluster {
  const seeds = nodes.map(parseClusterNode);
  // Credentials and TLS are the cluster's, not one node's: the first seed that gives them gives them for all.
  const auth = seeds.find((seed) => seed.password !== undefined || seed.username !== undefined);
  const tls = seeds.some((seed) => seed.tls);
  return new Cluster(
    seeds.map(({ host, port }) => ({ host, port })),
    {
      // The node connections are where commands run: the same guarantees BullMQ needs of a single server.
      redisOptions: {
        enableReadyCheck: true,
        connectionName: name,
        ...(options.failFast
          ? { maxRetriesPerRequest: 0, commandTimeout: EDGE_COMMAND_TIMEOUT_MS }
          : { maxRetriesPerRequest: null }),
        ...(auth?.username ? { username: auth.username } : {}),
        ...(auth?.password ? { password: auth.password } : {}),
        ...(tls ? { tls: {} } : {}),
      },
      enableReadyCheck: true,
      // ioredis gives node connections no retry of their own (it refreshes the slots on MOVED or
      // a lost node); the cluster as a whole reconnects forever with a capped delay, as above.
      clusterRetryStrategy: reconnectDelay,
      // A fail-fast cluster refuses commands while it is not ready; the accept deadline
      // (availability.ts) bounds the redirection retries below.
      enableOfflineQueue: !options.failFast,
      // Failover and CLUSTERDOWN are waited out (offline queue) rather than failed, like a restart.
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 300,
      retryDelayOnTryAgain: 200,
    },
  );
}

interface ClusterSeed {
  host: string;
  port: number;
  username?: string | undefined;
  password?: string | undefined;
  tls: boolean;
}

/**
 * host:port, [v6]:port or redis(s)://[user:pass@]host:port. Throws a message
 * that names the shape expected and never echoes the node (it may hold a password).
 */
export function parseClusterNode(node: string): ClusterSeed {
  const text = node.trim();
  const isUrl = /^rediss?:\/\//i.test(text);
  const refused = new Error('is not host:port or redis://host:port');
  if (!isUrl && /[/@?#]/.test(text)) throw refused;
  let parsed: URL;
  try {
    parsed = new URL(isUrl ? text : `redis://${text}`);
  } catch {
    throw refused;
  }
  const port = Number(parsed.port || (isUrl ? 6379 : Number.NaN));
  if (!parsed.hostname || !Number.isInteger(port) || port < 1 || port > 65535) throw refused;
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    tls: parsed.protocol === 'rediss:',
  };
}

/** True when the connection is to a Redis Cluster. */
export function isCluster(redis: Redis): redis is Cluster {
  return redis instanceof Cluster;
}

/** Resolves when Redis answers, rejects after timeoutMs with a message that says what to do. */
export async function waitForRedis(
  redis: Redis,
  target: string | RedisSettings,
  timeoutMs = isClusterTarget(target) ? 15_000 : 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await Promise.race([
        redis.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no answer')), 1_000)),
      ]);
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const where = safeRedisAddress(target);
  const cause = String((lastError as Error)?.message ?? lastError);
  throw new Error(
    isClusterTarget(target)
      ? `The Redis Cluster is not reachable at ${where} (${cause}). Check REDIS_CLUSTER_NODES and that the ` +
          'cluster is up (redis-cli --cluster check <host:port>).'
      : `Redis is not reachable at ${where} (${cause}). ` +
          'Start one (apt-get install redis-server, or docker compose up -d redis) or set REDIS_URL.',
  );
}

function isClusterTarget(target: string | RedisSettings): boolean {
  return typeof target !== 'string' && (target.clusterNodes?.length ?? 0) > 0;
}

/** host:port of a Redis URL (or "cluster host:port, ..." of cluster settings), without the password. */
export function safeRedisAddress(target: string | RedisSettings): string {
  if (typeof target !== 'string') {
    if (!isClusterTarget(target)) return safeRedisAddress(target.url);
    const nodes = (target.clusterNodes ?? []).map((node) => {
      try {
        const { host, port } = parseClusterNode(node);
        return `${host.includes(':') ? `[${host}]` : host}:${port}`;
      } catch {
        return '(unparsable node)';
      }
    });
    return `cluster ${nodes.join(', ')}`;
  }
  try {
    const parsed = new URL(target);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return '(unparsable REDIS_URL)';
  }
}
