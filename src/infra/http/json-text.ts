import type { FastifyReply } from 'fastify';

/**
 * Sends JSON that is already text (a body stored with its row) as it is: a Buffer skips the
 * route's serializer, which would otherwise encode the string again.
 */
export function sendJsonText(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(Buffer.from(json));
}
