import type { Redis } from 'ioredis';

/** The invalidation bus's channel. */
export const CHANNEL = 'cache:invalidate';

/** What replicas tell each other: tags a write invalidated, or an admin pattern in a tenant's namespace. */
export interface BusMessage {
  from: string;
  tenantId: string | '*';
  tags?: string[];
  glob?: string;
}

export interface BusOptions {
  sub: Redis;
  replicaId: string;
  /** A message from another replica. */
  onMessage(msg: BusMessage): void;
  /**
   * The subscription was lost and is back: messages sent meanwhile are gone, so whatever they
   * would have invalidated may still be held.
   */
  onResync(): void;
}

/**
 * The subscriber side of the invalidation bus (Redis pub/sub; publishing happens atomically with
 * the invalidation itself, in the Redis tier's script). Healthy only while subscribed.
 */
export function createBus(opts: BusOptions) {
  const { sub } = opts;
  let subscribed = false;
  let lost = false;

  function subscribe(): void {
    sub.subscribe(CHANNEL).then(
      () => {
        subscribed = true;
        if (lost) {
          lost = false;
          opts.onResync();
        }
      },
      () => {}, // retried on the next 'ready'
    );
  }

  sub.on('error', () => {}); // surfaced as `subscribed` turning false
  sub.on('close', () => {
    if (subscribed) lost = true;
    subscribed = false;
  });
  // ioredis re-subscribes by itself too; subscribing again is idempotent and tells us when it holds.
  sub.on('ready', subscribe);
  sub.on('message', (_channel: string, raw: string) => {
    let msg: BusMessage;
    try {
      msg = JSON.parse(raw) as BusMessage;
    } catch {
      return;
    }
    if (msg.from !== opts.replicaId && typeof msg.tenantId === 'string') opts.onMessage(msg);
  });

  return {
    /** True while messages from other replicas are being received. */
    healthy: (): boolean => subscribed,
    /** The message announcing an invalidation of `tags`, for the tier's script to publish. */
    tagsMessage: (tenantId: string, tags: string[]): string =>
      JSON.stringify({ from: opts.replicaId, tenantId, tags } satisfies BusMessage),
    globMessage: (tenantId: string | '*', glob: string): string =>
      JSON.stringify({ from: opts.replicaId, tenantId, glob } satisfies BusMessage),
  };
}

export type Bus = ReturnType<typeof createBus>;
