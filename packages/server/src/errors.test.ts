import { describe, expect, it } from "vitest";
import { ApiError, ERRORS, toProblem } from "./errors.js";

describe("error table and mapping", () => {
  it("gives every code a 4xx/5xx status and a title", () => {
    for (const [code, { status, title }] of Object.entries(ERRORS)) {
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
      expect(title.length, code).toBeGreaterThan(0);
    }
  });

  it("maps thrown things to stable codes", () => {
    expect(toProblem(new ApiError("conflict", "exists"), "/x")).toMatchObject({
      status: 409,
      code: "conflict",
      detail: "exists",
      instance: "/x",
    });
    const validation = Object.assign(new Error("body/a must be integer"), {
      statusCode: 400,
      validation: [{ instancePath: "/a", keyword: "type", message: "must be integer", params: {} }],
      validationContext: "body",
    });
    expect(toProblem(validation, undefined)).toMatchObject({
      code: "invalid_request",
      issues: [{ pointer: "/a", in: "body" }],
    });
    expect(
      toProblem(Object.assign(new Error("too big"), { code: "FST_ERR_CTP_BODY_TOO_LARGE", statusCode: 413 }), undefined)
        .code,
    ).toBe("payload_too_large");
    expect(toProblem({ statusCode: 429, message: "slow down" }, undefined).code).toBe("rate_limited");
    // An unexpected error says nothing about itself.
    const internal = toProblem(new TypeError("secret path /etc/x"), undefined);
    expect(internal).toMatchObject({ status: 500, code: "internal" });
    expect(JSON.stringify(internal)).not.toContain("secret");
  });
});
