import { describe, expect, it } from "vitest";
import { causeLabel, checkLabel, requestForError, requestForFinding, stepForAction } from "./troubleshoot";

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

  it("sends a fix that lives on another page to that page", () => {
    expect(stepForAction("certificate.upload-to-sp")).toBe("trust");
    expect(stepForAction("certificate.rotate")).toBe("certificate");
    expect(stepForAction("profile.fix-tenant-id")).toBe("profile");
    expect(stepForAction("signin.sign-in-again")).toBe("signin");
    // Actions the Mailboxes page carries out itself, and unknown ids, have no page.
    expect(stepForAction("mailboxes.approve")).toBeNull();
    expect(stepForAction("no.such-action")).toBeNull();
  });
});
