import { describe, expect, it } from "vitest";
import { requestForAlert, runLabel } from "./crm.svelte";

describe("mailbox alerts", () => {
  it("asks about a group with its text, details and every mailbox of it", () => {
    const g = { text: "401", details: "the tenant ID is empty", mailbox_ids: ["m1", "m2"] };
    const r = requestForAlert(g);
    expect(r.text).toBe("401\nthe tenant ID is empty");
    expect(r.mailbox_ids).toEqual(["m1", "m2"]);
    expect(r.checks).toEqual([]);
  });

  it("names the run button by what it will do", () => {
    expect(runLabel({ configure: true, approve: false, test: true }, 3)).toBe("Configure and test 3 mailboxes");
  });
});
