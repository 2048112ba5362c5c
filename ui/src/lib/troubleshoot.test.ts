import { describe, expect, it } from "vitest";
import { causeLabel, checkLabel, requestForError, requestForFinding } from "./troubleshoot";

describe("troubleshooting requests", () => {
  it("carries an error's code, message and remediation", () => {
    const r = requestForError({ code: "tls_untrusted", message: "not trusted", remediation: "tls.custom-ca" });
    expect(r).toMatchObject({ code: "tls_untrusted", text: "not trusted", remediation: "tls.custom-ca", checks: [] });
  });

  it("joins a finding's message and evidence into the text", () => {
    const r = requestForFinding({
      code: "mailbox_not_approved",
      severity: "error",
      message: "approval required",
      evidence: ["emailrouteraccessapproval = 2"],
      remediation: null,
    });
    expect(r.text).toBe("approval required\nemailrouteraccessapproval = 2");
    expect(r.remediation).toBeNull();
  });

  it("labels every cause status and check outcome", () => {
    expect(causeLabel("confirmed")).toMatch(/confirmed/);
    expect(causeLabel("ruled_out")).toMatch(/ruled out/);
    expect(causeLabel("possible")).toMatch(/not yet/);
    expect(checkLabel("failed")).toBe("failed");
    expect(checkLabel("not_run")).toBe("not run");
  });
});
