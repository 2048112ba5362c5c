import { describe, expect, it } from "vitest";
import { groupAlerts, requestForAlert, runLabel } from "./crm.svelte";

const alert = (id: string, text: string, details = "") => ({ mailbox_id: id, text, details, at: "2026-11-22T08:00:00Z" });

describe("mailbox alerts", () => {
  it("groups mailboxes that share an alert, the largest group first", () => {
    const groups = groupAlerts([
      alert("m1", "Failed Authentication"),
      alert("m2", "Email address requires approval by Office 365 administrator"),
      alert("m3", "Email address requires approval by Office 365 administrator"),
      alert("m4", "Failed Authentication", "another cause"),
    ]);
    expect(groups.map((g) => g.mailbox_ids)).toEqual([["m2", "m3"], ["m1"], ["m4"]]);
    expect(groups[0].text).toContain("approval");
  });

  it("asks about a group with its text, details and every mailbox of it", () => {
    const [g] = groupAlerts([alert("m1", "401", "the tenant ID is empty"), alert("m2", "401", "the tenant ID is empty")]);
    const r = requestForAlert(g);
    expect(r.text).toBe("401\nthe tenant ID is empty");
    expect(r.mailbox_ids).toEqual(["m1", "m2"]);
    expect(r.checks).toEqual([]);
  });

  it("names the run button by what it will do", () => {
    expect(runLabel({ configure: true, approve: false, test: true }, 3)).toBe("Configure and test 3 mailboxes");
  });
});
