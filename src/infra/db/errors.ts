import { ConflictError, ServiceUnavailableError, ValidationError } from '../../errors.js';

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/**
 * Maps driver errors to AppErrors at the repository boundary (SPEC: 23505 → 409, 22P02 → 400,
 * connection loss → 503). Anything else is rethrown untouched and becomes an opaque 500.
 */
export function mapDbError(err: unknown): unknown {
  const e = err as { code?: string; message?: string; constraint?: string };
  const code = e?.code ?? '';
  if (code === '23505') return new ConflictError('The resource already exists');
  if (code === '23503') return new ConflictError('The resource is referenced by, or refers to, a missing resource');
  if (code === '22P02') return new ValidationError('Malformed value');
  if (code === '22021' || code === '22P05') return new ValidationError('A value holds NUL or invalid Unicode');
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('08')) {
    return new ServiceUnavailableError('The database is unavailable');
  }
  const msg = e?.message ?? '';
  if (
    msg.includes('timeout exceeded when trying to connect') ||
    msg.includes('Connection terminated') ||
    msg.includes('Query read timeout') ||
    msg.includes('connect ECONNREFUSED')
  ) {
    return new ServiceUnavailableError('The database is unavailable');
  }
  return err;
}
