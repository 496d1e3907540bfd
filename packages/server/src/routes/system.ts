import type { FastifyInstance, FastifyRequest } from "fastify";
import { apiRef, problems } from "../schemas.js";

/** Health (no key needed) and "who am I" (which workspace a key belongs to). */
export async function systemRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    "/health",
    {
      config: { public: true },
      schema: {
        summary: "Liveness",
        tags: ["system"],
        security: [],
        response: {
          200: apiRef("health"),
        },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/me",
    {
      schema: {
        summary: "The workspace and key of this request",
        tags: ["system"],
        response: {
          200: apiRef("me"),
          ...problems(401),
        },
      },
    },
    async (request: FastifyRequest) => ({ workspaceId: request.auth.workspaceId, keyId: request.auth.keyId }),
  );
}
