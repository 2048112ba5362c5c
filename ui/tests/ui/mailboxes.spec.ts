// The Email server profile and Mailboxes steps (issues 7 and 8) over the mocked IPC.
import type { Card } from "../../src/lib/bindings/Card";
import { appInfo, calls, expect, seriousViolations, test } from "./fixtures";

const RED = "b0000000-0000-4000-8000-000000000007";
const ALERT = "The email address for the mailbox user00007@contoso.com has not been approved.";

const APPROVE_CARD: Card = {
  entry_id: "mailboxes.not-approved",
  title: "The mailbox's email address is not approved",
  symptom: "Test & Enable stops because the email address is not approved.",
  matched_by: "text",
  matched: "has not been approved",
  causes: [{ rank: 1, text: "Nobody approved the email address.", status: "possible", checks: [] }],
  fix: { action: { id: "mailboxes.approve", label: "Approve and test again" }, instructions: [] },
  sources: ["ms-api.md §7"],
};

test("profile: Check shows the diff, the button is named by its verb, apply shows the Test Connection result", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("practice"), mailboxes: { profileExists: false } });
  await page.getByTestId("step-profile").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Email server profile");
  await expect(page.getByTestId("crm-url")).toHaveValue("https://127.0.0.1:9443/contoso");
  await page.getByTestId("profile-polling").fill("5");
  await page.getByTestId("profile-check").click();
  await expect(page.getByTestId("profile-change")).toHaveCount(1);
  await expect(page.getByTestId("profile-change")).toContainText("(new profile)");
  await expect(page.getByTestId("profile-apply")).toHaveText("Create profile");
  const [plan] = await calls(page, "profile_plan");
  const req = (plan.args as { request: { target: { url: string }; settings: { min_polling_interval_minutes: number; tenant_id: string | null } } }).request;
  expect(req.target.url).toBe("https://127.0.0.1:9443/contoso");
  expect(req.settings.min_polling_interval_minutes).toBe(5);
  expect(req.settings.tenant_id).toBeNull();
  await page.getByTestId("profile-apply").click();
  await expect(page.getByTestId("profile-done")).toContainText("1 change(s)");
  await expect(page.getByTestId("profile-test")).toHaveAttribute("data-code", "profile_test_succeeded");
  // Checked again, the profile exists: the button says Update.
  await page.getByTestId("profile-check").click();
  await expect(page.getByTestId("profile-apply")).toHaveText("Update profile");
});

test("mailboxes: one run, one status request a second until none is pending, the red one shows its alert and card; the fix approves and tests again", async ({ page, openApp }) => {
  await openApp({
    appInfo: appInfo("practice"),
    mailboxes: { total: 50, failing: { [RED]: ALERT }, polls: 2 },
    cards: { mailbox_test_failed: APPROVE_CARD },
  });
  await page.getByTestId("step-mailboxes").click();
  await expect(page.getByTestId("mb-total")).toHaveText("50");
  await expect(page.getByTestId("mb-run")).toHaveText("Configure, approve and test 50 mailboxes");
  await page.getByTestId("mb-approve").uncheck();
  await expect(page.getByTestId("mb-run")).toHaveText("Configure and test 50 mailboxes");
  await page.getByTestId("mb-approve").check();
  await page.getByTestId("mb-run").click();

  await expect(page.getByTestId("mb-success")).toHaveText("49");
  await expect(page.getByTestId("mb-failure")).toHaveText("1");
  await expect(page.getByTestId("mb-pending")).toHaveText("0");
  // One status request per poll (never one per mailbox), and it stops once none is pending.
  const statusCalls = (await calls(page, "mailboxes_status")).length;
  expect(statusCalls).toBe(1 + 3); // on opening, two pending reads, the final one
  const [run] = await calls(page, "mailboxes_run");
  expect((run.args as { request: { actions: unknown } }).request.actions).toEqual({ configure: true, approve: true, test: true, retest_passed: false });

  const alert = page.getByTestId("mb-alert");
  await expect(alert).toHaveCount(1);
  await expect(alert).toHaveAttribute("data-mailbox", RED);
  await expect(page.getByTestId("mb-alert-text")).toHaveText(ALERT);
  await expect(page.getByTestId("troubleshooting-card")).toHaveAttribute("data-entry", "mailboxes.not-approved");
  const [ts] = await calls(page, "troubleshoot");
  expect((ts.args as { request: { text: string } }).request.text).toContain("has not been approved");

  await page.getByTestId("ts-fix").click();
  await expect(page.getByTestId("mb-failure")).toHaveText("0");
  await expect(page.getByTestId("mb-success")).toHaveText("50");
  await expect(page.getByTestId("mb-alert")).toHaveCount(0);
  const runs = await calls(page, "mailboxes_run");
  expect(runs).toHaveLength(2);
  expect((runs[1].args as { request: { actions: unknown } }).request.actions).toEqual({ configure: false, approve: true, test: true, retest_passed: false });
  await page.waitForTimeout(1500);
  expect((await calls(page, "mailboxes_status")).length).toBe(statusCalls + 3); // polling stopped
  expect(await calls(page, "mailboxes_alerts")).toHaveLength(1); // once the first run's results were in
});

test("mailboxes: tests can include the mailboxes that passed before, and the option goes with Test & Enable", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("practice"), mailboxes: { total: 3, polls: 0 } });
  await page.getByTestId("step-mailboxes").click();
  await expect(page.getByTestId("mb-retest-passed")).not.toBeChecked();
  await page.getByTestId("mb-test").uncheck();
  await expect(page.getByTestId("mb-retest-passed")).toHaveCount(0);
  await page.getByTestId("mb-test").check();
  await page.getByTestId("mb-retest-passed").check();
  await page.getByTestId("mb-run").click();
  await expect.poll(async () => (await calls(page, "mailboxes_run")).length).toBe(1);
  const [run] = await calls(page, "mailboxes_run");
  expect((run.args as { request: { actions: unknown } }).request.actions).toEqual({ configure: true, approve: true, test: true, retest_passed: true });
});

test("mailboxes: Re-test schedules the test only", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("practice"), mailboxes: { total: 3, failing: { [RED]: ALERT }, polls: 0 }, cards: { mailbox_test_failed: APPROVE_CARD } });
  await page.getByTestId("step-mailboxes").click();
  await page.getByTestId("mb-run").click();
  await expect(page.getByTestId("mb-failure")).toHaveText("1");
  await page.getByTestId("ts-retest").click();
  await expect.poll(async () => (await calls(page, "mailboxes_run")).length).toBe(2);
  const runs = await calls(page, "mailboxes_run");
  expect((runs[1].args as { request: { actions: unknown } }).request.actions).toEqual({ configure: false, approve: false, test: true, retest_passed: false });
  await expect(page.getByTestId("mb-failure")).toHaveText("1");
});

test("accessibility: the Profile diff and a red mailbox with its card have no serious or critical axe violations", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("practice"), mailboxes: { total: 3, failing: { [RED]: ALERT }, polls: 0 }, cards: { mailbox_test_failed: APPROVE_CARD } });
  await page.getByTestId("step-profile").click();
  await page.getByTestId("profile-check").click();
  await expect(page.getByTestId("profile-apply")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByTestId("step-mailboxes").click();
  await page.getByTestId("mb-run").click();
  await expect(page.getByTestId("troubleshooting-card")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test("mailboxes: a failed run shows the error and the button stays usable", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("practice"), mailboxes: { total: 3, runError: { code: "profile_missing", message: "The email server profile \"Exchange Online (Hybrid)\" does not exist yet: run the profile step first.", remediation: "dynamics.profile-missing" } } });
  await page.getByTestId("step-mailboxes").click();
  await page.getByTestId("mb-run").click();
  await expect(page.getByTestId("error-code")).toHaveText("profile_missing");
  await expect(page.getByTestId("mb-run")).toBeEnabled();
  expect(await calls(page, "mailboxes_status")).toHaveLength(1); // no watching after a failed run
});

const AUTH = "Failed Authentication";
const RED_IDS = ["b0000000-0000-4000-8000-000000000011", "b0000000-0000-4000-8000-000000000012", "b0000000-0000-4000-8000-000000000013"];
const CERT_CARD: Card = {
  entry_id: "s2s.failed-authentication",
  title: "Server-based authentication failed: the S2S certificate is missing or invalid",
  symptom: "Test Connection reports Failed Authentication.",
  matched_by: "text",
  matched: "Failed Authentication",
  causes: [
    {
      rank: 2,
      text: "The certificate's public key is not on the Dynamics service principal.",
      status: "confirmed",
      checks: [{ id: "sp_has_crm_certificate", description: "The CRM certificate is among the principal's keys.", outcome: "failed", saw: "the CRM certificate 0A1B is not among the service principal's 1 key(s)" }],
    },
    { rank: 1, text: "No S2STokenIssuer certificate is registered in Dynamics.", status: "ruled_out", checks: [{ id: "crm_certificate_installed", description: "Dynamics has a certificate.", outcome: "passed", saw: "Dynamics holds the S2STokenIssuer certificate 0A1B" }] },
  ],
  fix: { action: { id: "certificate.upload-to-sp", label: "Upload the certificate to the service principal" }, instructions: [] },
  sources: ["ms-api.md §7 (D-EXO)"],
};

test("mailboxes: failures that share an alert get one card that asks about all of them, shows what the checks saw, and its fix opens the page that does it", async ({ page, openApp }) => {
  const failing = Object.fromEntries(RED_IDS.map((id) => [id, AUTH]));
  await openApp({ appInfo: appInfo("practice"), mailboxes: { total: 20, failing, polls: 0 }, cards: { mailbox_test_failed: CERT_CARD } });
  await page.getByTestId("step-mailboxes").click();
  await page.getByTestId("mb-run").click();
  await expect(page.getByTestId("mb-failure")).toHaveText("3");
  const alert = page.getByTestId("mb-alert");
  await expect(alert).toHaveCount(1);
  await expect(alert).toHaveAttribute("data-count", "3");
  await expect(page.getByTestId("mb-alert-count")).toHaveText("3 mailboxes");
  await expect(page.getByTestId("troubleshooting-card")).toHaveCount(1);
  const asked = await calls(page, "troubleshoot");
  expect(asked).toHaveLength(1);
  expect((asked[0].args as { request: { mailbox_ids: string[] } }).request.mailbox_ids).toEqual(RED_IDS);
  await expect(page.locator('[data-check="sp_has_crm_certificate"]')).toHaveAttribute("data-outcome", "failed");
  await expect(page.locator('[data-check="sp_has_crm_certificate"] [data-testid="ts-saw"]')).toContainText("not among the service principal");
  await page.getByTestId("ts-fix").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Entra trust");
});

test("mailboxes: the admin's ceiling of requests at once is sent, a bad one is refused at the field, and the run shows live progress with the time left", async ({ page, openApp }) => {
  const label = "20 of 50 mailboxes updated, 0 failed; 3 requests at once (at most 4); about 2 s left";
  await openApp({ appInfo: appInfo("practice"), mailboxes: { total: 50, polls: 0, progress: ["10 of 50 mailboxes updated, 0 failed; 2 requests at once (at most 4)", label], runMs: 1500 } });
  await page.getByTestId("step-mailboxes").click();
  await expect(page.getByTestId("mb-ceiling")).toHaveValue("128");
  await page.getByTestId("mb-ceiling").fill("0");
  await expect(page.getByTestId("mb-ceiling-error")).toContainText("from 1 to 256");
  await expect(page.getByTestId("mb-run")).toBeDisabled();
  await page.getByTestId("mb-ceiling").fill("4");
  await expect(page.getByTestId("mb-ceiling-error")).toHaveCount(0);
  await page.getByTestId("mb-run").click();
  await expect(page.getByTestId("mb-progress-label")).toHaveText(label);
  await expect(page.getByTestId("mb-progress").locator("progress")).toHaveAttribute("value", "20");
  const [run] = await calls(page, "mailboxes_run");
  expect((run.args as { request: { ceiling: number } }).request.ceiling).toBe(4);
  await expect(page.getByTestId("mb-progress")).toHaveCount(0);
  await expect(page.getByTestId("mb-done")).toBeVisible();
});
