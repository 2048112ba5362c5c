import { describe, expect, it } from "vitest";
import { ewsStatus, formatDay, plural } from "./ews";

const day = (year: number, month: number, d: number) => ({ year, month, day: d });

describe("ewsStatus", () => {
  it("before the block counts days to the block and to the end", () => {
    const s = ewsStatus(day(2026, 9, 1));
    expect(s.phase).toBe("before-block");
    expect(s.daysUntilBlock).toBe(30);
    expect(s.daysUntilEnd).toBe(212);
    expect(s.tone).toBe("warning");
    expect(s.headline).toBe("Exchange Online blocks EWS in 30 days for tenants that are not allow-listed.");
    expect(s.detail).toContain("From 1 October 2026");
    expect(s.detail).toContain("1 April 2027 (in 212 days)");
    expect(s.detail).toContain("Dynamics 365 on-premises");
  });

  it("uses the singular on the day before the block", () => {
    const s = ewsStatus(day(2026, 9, 30));
    expect(s.phase).toBe("before-block");
    expect(s.headline).toContain("in 1 day ");
  });

  it("is blocked from 1 October 2026 on", () => {
    const s = ewsStatus(day(2026, 10, 1));
    expect(s.phase).toBe("blocked");
    expect(s.daysUntilBlock).toBe(0);
    expect(s.daysUntilEnd).toBe(182);
    expect(s.headline).toBe("EWS ends in 182 days, on 1 April 2027.");
    expect(s.detail).toContain("Since 1 October 2026 Exchange Online blocks EWS for tenants that are not allow-listed.");
  });

  it("counts down while blocked", () => {
    expect(ewsStatus(day(2026, 11, 22)).headline).toBe("EWS ends in 130 days, on 1 April 2027.");
    expect(ewsStatus(day(2027, 3, 31)).headline).toBe("EWS ends in 1 day, on 1 April 2027.");
  });

  it("says today on the end date and ended after it", () => {
    const today = ewsStatus(day(2027, 4, 1));
    expect(today.phase).toBe("ended");
    expect(today.headline).toBe("EWS ends today, 1 April 2027.");
    const after = ewsStatus(day(2027, 6, 15));
    expect(after.phase).toBe("ended");
    expect(after.tone).toBe("error");
    expect(after.headline).toBe("EWS ended on 1 April 2027.");
    expect(after.daysUntilEnd).toBe(-75);
  });

  it("always says which parts are unaffected", () => {
    for (const d of [day(2026, 1, 1), day(2026, 12, 1), day(2028, 1, 1)]) {
      expect(ewsStatus(d).unaffected).toBe(
        "The domain, directory, certificate, diagnosis and report parts of this wizard are unaffected.",
      );
    }
  });

  it("takes a Date by its local calendar day", () => {
    expect(ewsStatus(new Date(2026, 9, 1, 0, 0, 1)).phase).toBe("blocked");
    expect(ewsStatus(new Date(2026, 8, 30, 23, 59, 59)).phase).toBe("before-block");
  });

  it("formats days and plurals", () => {
    expect(formatDay(day(2027, 4, 1))).toBe("1 April 2027");
    expect(plural(1, "day")).toBe("1 day");
    expect(plural(2, "day")).toBe("2 days");
  });
});
