/** Content hash of generated IaC files (docs/API.md §6: `hash`). */
import { createHash } from 'node:crypto';

/** One generated file. */
export interface GeneratedFile {
  path: string;
  content: string;
}

/**
 * Hex SHA-256 over the files' paths and contents, in order. Each field is length-prefixed so that
 * moving bytes between a path and a content (or between two files) always changes the hash.
 */
export function hashFiles(files: readonly GeneratedFile[]): string {
  const h = createHash('sha256');
  for (const f of files) {
    for (const part of [f.path, f.content]) {
      h.update(`${Buffer.byteLength(part, 'utf8')}:`);
      h.update(part, 'utf8'); // no intermediate Buffer copy of the (large) content
    }
  }
  return h.digest('hex');
}
