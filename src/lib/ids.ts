import { v7 } from 'uuid';

/** A new UUIDv7: time-ordered, so `ORDER BY id DESC` is newest first. */
export function newId(): string {
  return v7();
}
