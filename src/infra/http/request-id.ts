import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SANE = /^[A-Za-z0-9._:-]{1,128}$/;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const SEQUENCE = 0x100_0000;

/**
 * A source of UUID-shaped request ids (as hyperid does): 30 characters of a random UUID, then a
 * 24-bit sequence in hex, unique across replicas and within one (a new prefix every 2^24 ids),
 * without building a random UUID per request.
 */
export function createRequestIds(uuid: () => string = randomUUID): () => string {
  let prefix = uuid().slice(0, 30);
  let seq = 0;
  return () => {
    if (seq === SEQUENCE) {
      prefix = uuid().slice(0, 30);
      seq = 0;
    }
    const n = seq++;
    return prefix + HEX[n >> 16]! + HEX[(n >> 8) & 0xff]! + HEX[n & 0xff]!;
  };
}

/** Fastify's genReqId: the caller's X-Request-Id when it is a sane one, else a new id. */
export function createRequestId(next: () => string = createRequestIds()): (req: IncomingMessage) => string {
  return (req) => {
    const given = req.headers['x-request-id'];
    return typeof given === 'string' && SANE.test(given) ? given : next();
  };
}
