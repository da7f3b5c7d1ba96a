import { ConflictError, ServiceUnavailableError, ValidationError } from '../../errors.js';

// The connection itself is gone or unusable: socket errors, the server shutting down or crashing,
// too many connections, a session killed for idling in a transaction.
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '25P03',
]);

// The statement was stopped but the connection is fine: statement_timeout or a cancel request
// (57014), lock_timeout (55P03), a serialization failure or deadlock (40001, 40P01). All transient.
const TRANSIENT_CODES = new Set(['57014', '55P03', '40001', '40P01']);

// node-postgres reports these without a SQLSTATE.
const CONNECTION_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Query read timeout',
  'connect ECONNREFUSED',
  'is not queryable',
];

/** True when the error means the connection is lost or unusable (the client must be destroyed). */
export function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  const code = e?.code ?? '';
  if (CONNECTION_CODES.has(code) || code.startsWith('08')) return true;
  const msg = e?.message ?? '';
  return CONNECTION_MESSAGES.some((m) => msg.includes(m));
}

/**
 * Maps driver errors to AppErrors at the repository boundary (23505 → 409, 22P02 → 400,
 * connection loss, timeouts and other transient failures → 503 with Retry-After). Anything else is rethrown untouched and becomes an opaque 500.
 */
export function mapDbError(err: unknown): unknown {
  const e = err as { code?: string; message?: string; constraint?: string };
  const code = e?.code ?? '';
  if (code === '23505') return new ConflictError('The resource already exists');
  if (code === '23503') return new ConflictError('The resource is referenced by, or refers to, a missing resource');
  if (code === '22P02') return new ValidationError('Malformed value');
  if (TRANSIENT_CODES.has(code)) {
    return new ServiceUnavailableError(
      'The statement was stopped (timeout, lock or serialization conflict); retry shortly',
    );
  }
  if (isConnectionLoss(err)) return new ServiceUnavailableError('The database is unavailable');
  return err;
}
