import { describe, expect, it } from "vitest";
import { formatTime, toLogEntry } from "./log.svelte";

describe("log entries", () => {
  const now = new Date(2026, 10, 22, 9, 5, 7);

  it("turns a progress event into a line with its counts", () => {
    const e = toLogEntry({ kind: "progress", step: "tenant", done: 1, total: 3, label: "Fetching OpenID configuration" }, 1, now);
    expect(e).toMatchObject({ kind: "progress", text: "Fetching OpenID configuration (1/3)", at: now.toISOString() });
  });

  it("keeps a log event's own time and level", () => {
    const e = toLogEntry({ kind: "log", level: "WARN", message: "slow answer", at: "2026-11-22T09:00:00Z" }, 2, now);
    expect(e).toMatchObject({ kind: "log", level: "WARN", text: "slow answer", at: "2026-11-22T09:00:00Z" });
  });

  it("formats times as HH:MM:SS and leaves non-dates alone", () => {
    expect(formatTime(now.toISOString())).toBe("09:05:07");
    expect(formatTime("later")).toBe("later");
  });
});
