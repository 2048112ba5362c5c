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

  it("logs that a device code was issued, without the code", () => {
    const e = toLogEntry(
      {
        kind: "device_code",
        user_code: "FGH7-KLMN",
        verification_uri: "https://microsoft.com/devicelogin",
        message: "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FGH7-KLMN to authenticate.",
        expires_in_secs: 900,
      },
      3,
      now,
    );
    expect(e).toMatchObject({ kind: "log", level: "info", at: now.toISOString() });
    expect(e.text).toBe("Device code issued: enter it at https://microsoft.com/devicelogin within 15 minutes.");
    expect(e.text).not.toContain("FGH7-KLMN");
  });

  it("reads the expiry as the JSON number it is on the wire", () => {
    const wire = JSON.parse('{"kind":"device_code","user_code":"A","verification_uri":"https://x.example/device","message":"m","expires_in_secs":60}');
    expect(toLogEntry(wire, 4, now).text).toBe("Device code issued: enter it at https://x.example/device within 1 minute.");
  });

  it("formats times as HH:MM:SS and leaves non-dates alone", () => {
    expect(formatTime(now.toISOString())).toBe("09:05:07");
    expect(formatTime("later")).toBe("later");
  });
});
