/** The dashboard's adapter for Node's http, Express and Fastify (@errand/dashboard/node). */
export * from '@errand/dashboard/node';
