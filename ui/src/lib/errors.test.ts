import { describe, expect, it } from "vitest";
import { isErrorPayload, toErrorPayload } from "./errors";

describe("toErrorPayload", () => {
  it("keeps an ErrorPayload as it is", () => {
    const e = { code: "tenant_not_found", message: "No Microsoft 365 tenant found for nosuch.example", remediation: "tenant.check-domain" };
    expect(isErrorPayload(e)).toBe(true);
    expect(toErrorPayload(e)).toEqual(e);
  });

  it("fills a missing remediation with null and drops extra fields", () => {
    expect(toErrorPayload({ code: "timeout", message: "Timed out", extra: 1 })).toEqual({
      code: "timeout",
      message: "Timed out",
      remediation: null,
    });
  });

  it.each([
    ["a bare string", "command discover_tenant not found", "command discover_tenant not found"],
    ["an Error", new TypeError("window.__TAURI_INTERNALS__ is undefined"), "window.__TAURI_INTERNALS__ is undefined"],
    ["an object with only a message", { message: "boom" }, "boom"],
    ["an object of another shape", { status: 500 }, 'Unexpected error: {"status":500}'],
    ["a wrong-typed code", { code: 42, message: "x" }, "x"],
    ["null", null, "An unexpected error occurred."],
    ["undefined", undefined, "An unexpected error occurred."],
    ["an empty string", "", "An unexpected error occurred."],
  ])("turns %s into code internal", (_name, input, message) => {
    expect(toErrorPayload(input)).toEqual({ code: "internal", message, remediation: null });
  });

  it("rejects a payload whose remediation is not a string", () => {
    expect(isErrorPayload({ code: "x", message: "y", remediation: 3 })).toBe(false);
  });
});
