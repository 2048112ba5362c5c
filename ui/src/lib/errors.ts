import type { ErrorPayload } from "./bindings/ErrorPayload";

/** True when `value` has the shape every rejected invoke is promised to have. */
export function isErrorPayload(value: unknown): value is ErrorPayload {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === "string" &&
    v.code.length > 0 &&
    typeof v.message === "string" &&
    (v.remediation === null || v.remediation === undefined || typeof v.remediation === "string")
  );
}

/**
 * Turns whatever an invoke rejected with into an ErrorPayload.
 * Anything that is not ErrorPayload-shaped becomes code "internal", so the UI
 * can always show a troubleshooting card instead of crashing.
 */
export function toErrorPayload(value: unknown): ErrorPayload {
  if (isErrorPayload(value)) {
    return { code: value.code, message: value.message, remediation: value.remediation ?? null };
  }
  return { code: "internal", message: describeUnknown(value), remediation: null };
}

function describeUnknown(value: unknown): string {
  if (typeof value === "string" && value.trim() !== "") return value;
  if (value instanceof Error && value.message) return value.message;
  if (typeof value === "object" && value !== null) {
    const m = (value as Record<string, unknown>).message;
    if (typeof m === "string" && m.trim() !== "") return m;
    try {
      const json = JSON.stringify(value);
      if (json && json !== "{}") return `Unexpected error: ${json}`;
    } catch {
      // fall through
    }
  }
  return "An unexpected error occurred.";
}
