import { describe, expect, it } from "vitest";
import { STEPS, canOpen, focusTarget, openStep } from "./steps";

describe("steps", () => {
  it("lists the eleven steps in order, every one available", () => {
    expect(STEPS.map((s) => s.title)).toEqual([
      "Tenant",
      "Sign-in",
      "Domains",
      "Directory readiness",
      "Connectivity",
      "Certificate",
      "Entra trust",
      "CRM server script",
      "Email server profile",
      "Mailboxes",
      "Report",
    ]);
    expect(STEPS.filter((s) => !s.available)).toEqual([]);
  });

  it.each([
    ["ArrowDown", 0, 1],
    ["ArrowDown", 10, 10],
    ["ArrowUp", 3, 2],
    ["ArrowUp", 0, 0],
    ["Home", 7, 0],
    ["End", 2, 10],
  ])("%s from %i moves focus to %i", (key, from, to) => {
    expect(focusTarget(key, from, STEPS.length)).toBe(to);
  });

  it("ignores other keys and empty lists", () => {
    expect(focusTarget("Enter", 0, 11)).toBeNull();
    expect(focusTarget("a", 0, 11)).toBeNull();
    expect(focusTarget("ArrowDown", 0, 0)).toBeNull();
  });

  it("opens only available steps", () => {
    expect(canOpen(STEPS, "tenant")).toBe(true);
    expect(canOpen(STEPS, "profile")).toBe(true);
    expect(canOpen(STEPS, "mailboxes")).toBe(true);
    expect(canOpen(STEPS, "nonsense")).toBe(false);
    expect(openStep(STEPS, "tenant", "mailboxes")).toBe("mailboxes");
    expect(openStep(STEPS, "tenant", "nonsense")).toBe("tenant");
    // A step marked unavailable is not opened.
    const some = STEPS.map((s) => (s.id === "mailboxes" ? { ...s, available: false } : s));
    expect(canOpen(some, "mailboxes")).toBe(false);
    expect(openStep(some, "signin", "mailboxes")).toBe("signin");
    expect(openStep(some, "signin", "report")).toBe("report");
  });
});
