import type { FastifyInstance, FastifyRequest } from "fastify";
import { problems } from "../schemas.js";

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
          200: { type: "object", required: ["status"], properties: { status: { type: "string", enum: ["ok"] } } },
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
          200: {
            type: "object",
            required: ["workspaceId", "keyId"],
            properties: { workspaceId: { type: "string", maxLength: 64 }, keyId: { type: "string", maxLength: 64 } },
          },
          ...problems(401),
        },
      },
    },
    async (request: FastifyRequest) => ({ workspaceId: request.auth.workspaceId, keyId: request.auth.keyId }),
  );
}
