// The floor of benchmark 1: a bare node:http server sending the exact bytes and headers our
// cached GET /api/blueprints sends, with no routing, auth or cache lookup.
import http from 'node:http';
import { readFileSync } from 'node:fs';

const body = readFileSync(process.env.BODY_FILE!);
const headers = JSON.parse(readFileSync(process.env.HEADERS_FILE!, 'utf8')) as Record<string, string>;
headers['content-length'] = String(body.length);

http
  .createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  })
  .listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
