import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { ApiError } from "../errors.js";
import { hashKey, looksLikeKey } from "../keys.js";

export interface Auth {
  readonly workspaceId: string;
  readonly keyId: string;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the auth hook on every route not marked `config: { public: true }`. */
    auth: Auth;
  }
  interface FastifyContextConfig {
    /** The route needs no API key (health). */
    public?: boolean;
  }
}

/**
 * API keys: `Authorization: Bearer <key>`. A key belongs to one workspace; every store call takes
 * that workspace, so another workspace's ids are simply not found (404, never 403: existence is
 * not disclosed). Keys are looked up by their sha256. Registered on the /v1 scope as an
 * onRequest hook, so it runs before body parsing: an anonymous client cannot make the server
 * read a large body.
 */
export const authPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest("auth", undefined as unknown as Auth);
  },
  { name: "plantgan-auth", dependencies: ["plantgan-store"] },
);

/** The onRequest hook for a route scope. */
export function requireApiKey(app: FastifyInstance) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.routeOptions.config?.public) return;
    const header = request.headers.authorization;
    const match = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new ApiError("unauthorized", "send the API key as Authorization: Bearer <key>");
    const key = match[1]!;
    const found = looksLikeKey(key) ? await app.store.findApiKey(hashKey(key)) : undefined;
    if (!found) throw new ApiError("unauthorized", "the API key is unknown or revoked");
    request.auth = found;
  };
}
