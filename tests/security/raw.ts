import net from 'node:net';

/**
 * Writes `bytes` to the server as they are (requests no HTTP client would send) and resolves with
 * the status code of the first response, or 0 when the server closed the connection without one.
 */
export function rawStatus(port: number, bytes: string | Buffer, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let seen = '';
    const done = (status: number) => {
      socket.destroy();
      resolve(status);
    };
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? done(0) : reject(err)));
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(seen);
      if (m) done(Number(m[1]));
    });
    socket.on('end', () => done(0));
    socket.write(bytes);
  });
}
