import type { Page } from "@playwright/test";
import { CONTOSO, DEVICE_CODE, GLOBAL_ADMIN, NO_ROLE, PRACTICE, appInfo, calls, expect, seriousViolations, test } from "./fixtures";
import type { Event as WizardEvent } from "../../src/lib/bindings/Event";

const CLIENT_ID = "11111111-2222-3333-4444-555555555555";

const EVENTS: WizardEvent[] = [
  { kind: "progress", step: "signin", done: 1, total: 3, label: "Waiting for the code to be entered" },
  { kind: "log", level: "INFO", message: "POST https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode 200", at: "2026-11-22T10:00:01Z" },
];

const DECLINED = {
  code: "signin_declined",
  message: "The sign-in was declined at Microsoft's page (AADSTS70000: authorization_declined).",
  remediation: "signin.declined",
};

async function openSignIn(page: Page) {
  await page.getByTestId("step-signin").click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign-in" })).toBeVisible();
  // whoami has answered: the buttons wait for it.
  await expect.poll(async () => (await calls(page, "whoami")).length).toBeGreaterThan(0);
}

async function finishSignIn(page: Page) {
  await page.evaluate(() => (window as unknown as { __hsFinishSignIn: () => void }).__hsFinishSignIn());
}

test("Sign-in opens from the step list with one instruction, an empty client ID and how to register one", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft") });
  await openSignIn(page);
  await expect(page.locator("h1#step-heading")).toBeFocused();
  await expect(page.getByTestId("step-signin")).toHaveAttribute("aria-current", "step");
  await expect(page.locator(".instruction")).toHaveText(
    "Sign in as a Microsoft 365 administrator of this tenant. Your password never passes through the wizard; the refresh token is kept in your system's keychain only.",
  );

  await expect(page.getByLabel("Tenant", { exact: true })).toHaveValue("organizations");
  const clientId = page.getByTestId("client-id");
  await expect(clientId).toHaveValue("");
  const help = page.getByTestId("client-id-help");
  await expect(help).toContainText("Mobile and desktop applications");
  await expect(help).toContainText("http://localhost");
  await expect(help).toContainText(
    "delegated Microsoft Graph permissions User.Read, RoleManagement.Read.Directory, Domain.ReadWrite.All, Application.ReadWrite.All, Organization.Read.All, User.Read.All.",
  );
  await expect(help).toContainText("Allow public client flows");
  await expect(page.getByLabel("Application (client) ID")).toHaveAccessibleDescription(/Mobile and desktop applications/);
  await expect(page.getByTestId("signin-authority-url")).toHaveText("https://login.microsoftonline.com");

  // No client ID, no sign-in.
  await expect(page.getByTestId("signin-browser")).toHaveText("Sign in with the browser");
  await expect(page.getByTestId("signin-device-code")).toHaveText("Sign in with a device code");
  await expect(page.getByTestId("signin-browser")).toBeDisabled();
  await expect(page.getByTestId("signin-device-code")).toBeDisabled();
  await clientId.fill(CLIENT_ID);
  await expect(page.getByTestId("signin-browser")).toBeEnabled();
  await expect(page.getByTestId("signin-device-code")).toBeEnabled();
  expect(await calls(page, "whoami")).toHaveLength(1);
});

test("the tenant found by the Tenant step and the configured client ID are prefilled", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft", CLIENT_ID), tenants: { "contoso.example": CONTOSO }, signIn: GLOBAL_ADMIN });
  await page.getByTestId("tenant-input").fill("contoso.example");
  await page.getByTestId("find-tenant").click();
  await expect(page.getByTestId("tenant-id")).toBeVisible();

  await openSignIn(page);
  await expect(page.getByTestId("signin-tenant")).toHaveValue(CONTOSO.tenant_id);
  await expect(page.getByTestId("signin-tenant")).toHaveAccessibleDescription(/found by the Tenant step/);
  await expect(page.getByTestId("client-id")).toHaveValue(CLIENT_ID);
  await expect(page.getByTestId("client-id-help")).toHaveCount(0);

  // Enter in a field signs in with the browser.
  await page.getByTestId("signin-tenant").press("Enter");
  await expect(page.getByTestId("signin-wait-panel")).toContainText("Finish signing in in your browser");
  await expect(page.getByTestId("signin-browser")).toBeDisabled();
  const [browser] = await calls(page, "sign_in_browser");
  expect(browser.args).toEqual({
    request: { authority: "https://login.microsoftonline.com", tenant: CONTOSO.tenant_id, client_id: CLIENT_ID, ca_file: null },
    onEvent: expect.stringMatching(/^__CHANNEL__:\d+$/),
  });
  await finishSignIn(page);
  await expect(page.getByTestId("signed-in-user")).toContainText("admin@contoso.example");
  await expect(page.getByTestId("signin-wait-panel")).toHaveCount(0);
});

test("a device-code sign-in shows the code and the address, then the account and its roles", async ({ page, openApp, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await openApp({ appInfo: appInfo("practice"), deviceCode: DEVICE_CODE, signInEvents: EVENTS, signIn: GLOBAL_ADMIN });
  await openSignIn(page);

  // Practice mode prefills everything.
  await expect(page.getByTestId("signin-tenant")).toHaveValue(PRACTICE.tenant_domain);
  await expect(page.getByTestId("client-id")).toHaveValue(PRACTICE.client_id);
  await expect(page.getByTestId("signin-authority-url")).toHaveText(PRACTICE.authority);
  await expect(page.getByTestId("signin-ca-file")).toHaveValue(PRACTICE.ca_file);

  await page.getByTestId("signin-device-code").click();
  const panel = page.getByTestId("device-code-panel");
  await expect(panel).toBeVisible();
  await expect(page.getByTestId("device-user-code")).toHaveText("K7QP-2MXD");
  await expect(page.getByTestId("device-verification-uri")).toHaveText("https://microsoft.com/devicelogin");
  await expect(page.getByTestId("device-message")).toHaveText(DEVICE_CODE.message);
  await expect(page.getByTestId("device-time-left")).toHaveText(/^1[45]:\d\d$/);
  await expect(panel.getByRole("heading", { level: 2 })).toBeFocused();
  const status = page.getByTestId("signin-status");
  await expect(status).toHaveAttribute("role", "status");
  await expect(status).toHaveText("Waiting for the code to be entered (step 1 of 3)");
  await expect(page.getByTestId("signin-device-code")).toBeDisabled();
  await expect(page.getByTestId("signin-browser")).toBeDisabled();
  await expect(page.getByTestId("client-id")).toBeDisabled();

  const [device] = await calls(page, "sign_in_device_code");
  expect(device.args).toEqual({
    request: { authority: PRACTICE.authority, tenant: PRACTICE.tenant_domain, client_id: PRACTICE.client_id, ca_file: PRACTICE.ca_file },
    onEvent: expect.stringMatching(/^__CHANNEL__:\d+$/),
  });

  // Copy the code, then the address.
  await page.getByTestId("copy-device-code").click();
  await expect(page.getByTestId("copy-device-code-status")).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("K7QP-2MXD");
  await page.getByTestId("copy-verification-uri").click();
  await expect(page.getByTestId("copy-verification-uri-status")).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("https://microsoft.com/devicelogin");

  // The admin enters the code elsewhere.
  await finishSignIn(page);
  const result = page.getByTestId("signin-result");
  await expect(result).toBeVisible();
  await expect(panel).toHaveCount(0);
  await expect(page.getByTestId("signed-in-user")).toContainText("admin@contoso.example");
  await expect(page.getByTestId("signed-in-user")).toContainText("Adele Vance");
  await expect(page.getByTestId("signed-in-tenant")).toHaveText(GLOBAL_ADMIN.user.tenant_id);
  const roles = page.getByTestId("signed-in-roles");
  expect(await roles.evaluate((el) => el.tagName)).toBe("UL");
  await expect(roles.locator("li")).toHaveText(["Global Administrator", "Exchange Administrator"]);
  await expect(page.getByTestId("role-warning")).toHaveCount(0);
  await expect(status).toHaveText("Signed in as admin@contoso.example.");
  await expect(result.getByRole("heading", { level: 2, name: "Signed in" })).toBeFocused();
  await expect(page.getByTestId("step-signin")).toContainText("done");
  await expect(page.getByTestId("error-card")).toHaveCount(0);

  // The log drawer has the events and says a code was issued, without the code.
  await page.getByTestId("log-toggle").click();
  const entries = page.getByTestId("log-entries").locator("li");
  await expect(entries.filter({ hasText: "Device code issued: enter it at https://microsoft.com/devicelogin within 15 minutes." })).toHaveCount(1);
  await expect(entries.filter({ hasText: "Waiting for the code to be entered (1/3)" })).toHaveCount(1);
  await expect(entries.filter({ hasText: "devicecode 200" })).toHaveCount(1);
  await expect(entries.filter({ hasText: "Signed in as admin@contoso.example" })).toHaveCount(1);
  await expect(entries.filter({ hasText: "K7QP-2MXD" })).toHaveCount(0);
});

test("Cancel calls cancel_sign_in and returns to the form without an error card", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("practice"), deviceCode: DEVICE_CODE, signIn: GLOBAL_ADMIN });
  await openSignIn(page);
  await page.getByTestId("signin-device-code").click();
  await expect(page.getByTestId("device-user-code")).toHaveText("K7QP-2MXD");

  await page.getByTestId("cancel-signin").click();
  await expect(page.getByTestId("device-code-panel")).toHaveCount(0);
  await expect(page.getByTestId("signin-status")).toHaveText("Sign-in cancelled. You can start again.");
  await expect(page.getByTestId("error-card")).toHaveCount(0);
  await expect(page.getByTestId("signin-result")).toHaveCount(0);
  expect(await calls(page, "cancel_sign_in")).toEqual([{ cmd: "cancel_sign_in", args: {} }]);
  await expect(page.getByTestId("signin-device-code")).toBeEnabled();
  await expect(page.getByTestId("signin-device-code")).toBeFocused();
  await expect(page.getByTestId("step-signin")).not.toContainText("done");

  // And it can start again.
  await page.getByTestId("signin-device-code").click();
  await expect(page.getByTestId("device-code-panel")).toBeVisible();
  await finishSignIn(page);
  await expect(page.getByTestId("signin-result")).toBeVisible();
});

test("the time left counts down and says when the code has expired", async ({ page, openApp }) => {
  await page.clock.install();
  await openApp({ appInfo: appInfo("practice"), deviceCode: DEVICE_CODE, signIn: GLOBAL_ADMIN });
  await openSignIn(page);
  await page.getByTestId("signin-device-code").click();
  const left = page.getByTestId("device-time-left");
  await expect(left).toHaveText("15:00");
  await expect(left.locator("time")).toHaveAttribute("datetime", "PT900S");
  await page.clock.runFor("01:05");
  await expect(left).toHaveText("13:55");
  await page.clock.runFor("14:00");
  await expect(left).toHaveText("The code has expired.");
  // Only Rust ends the sign-in (with signin_expired): Cancel still works meanwhile.
  await page.getByTestId("cancel-signin").click();
  await expect(page.getByTestId("device-code-panel")).toHaveCount(0);
});

test("leaving the page while a sign-in waits cancels it", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("practice"), signIn: GLOBAL_ADMIN });
  await openSignIn(page);
  await page.getByTestId("signin-browser").click();
  await expect(page.getByTestId("signin-wait-panel")).toBeVisible();
  await page.getByTestId("step-tenant").click();
  await expect(page.getByRole("heading", { level: 1, name: "Tenant" })).toBeVisible();
  await expect.poll(async () => (await calls(page, "cancel_sign_in")).length).toBe(1);
  // Back again: a fresh form, nothing pending, no error.
  await openSignIn(page);
  await expect(page.getByTestId("signin-browser")).toBeEnabled();
  await expect(page.getByTestId("error-card")).toHaveCount(0);
});

test("a keychain error when checking for a saved sign-in shows the error card and keeps the form", async ({ page, openApp }) => {
  await openApp({
    appInfo: appInfo("practice"),
    whoamiError: {
      code: "keychain_unavailable",
      message: "No Secret Service is running (org.freedesktop.secrets): start gnome-keyring or KeePassXC's Secret Service.",
      remediation: "signin.keychain",
    },
  });
  await openSignIn(page);
  await expect(page.getByTestId("error-card").getByRole("heading")).toHaveText("Could not check for a saved sign-in");
  await expect(page.getByTestId("error-code")).toHaveText("keychain_unavailable");
  await expect(page.getByTestId("signin-browser")).toBeEnabled();
});

test("a declined sign-in shows the error card; Try again returns to the buttons", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("practice"), deviceCode: DEVICE_CODE, signInRejection: DECLINED });
  await openSignIn(page);
  await page.getByTestId("signin-device-code").click();
  await expect(page.getByTestId("device-code-panel")).toBeVisible();
  await finishSignIn(page);

  const card = page.getByTestId("error-card");
  await expect(card).toBeVisible();
  await expect(card).toHaveAttribute("role", "alert");
  await expect(card.getByRole("heading")).toHaveText("The sign-in was declined");
  await expect(page.getByTestId("error-code")).toHaveText("signin_declined");
  await expect(page.getByTestId("error-message")).toHaveText(DECLINED.message);
  await expect(page.getByTestId("error-remediation")).toHaveText("signin.declined");
  await expect(page.getByTestId("device-code-panel")).toHaveCount(0);
  await expect(page.getByTestId("signin-result")).toHaveCount(0);

  await page.getByTestId("try-again").click();
  await expect(card).toHaveCount(0);
  await expect(page.getByTestId("signin-device-code")).toBeFocused();
  await expect(page.getByTestId("signin-device-code")).toBeEnabled();
});

test("an account without a directory role gets a warning; Sign out returns to the form", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("practice"), deviceCode: DEVICE_CODE, signIn: NO_ROLE });
  await openSignIn(page);
  await page.getByTestId("signin-device-code").click();
  await expect(page.getByTestId("device-code-panel")).toBeVisible();
  await finishSignIn(page);

  await expect(page.getByTestId("signed-in-user")).toContainText("alex@contoso.example");
  await expect(page.getByTestId("signed-in-roles")).toHaveText("No directory role");
  const warning = page.getByTestId("role-warning");
  await expect(warning).toContainText("Warning:");
  await expect(warning).toContainText("later steps need Global Administrator or Domain Name Administrator");
  await expect(page.getByTestId("step-signin")).toContainText("done");

  await page.getByTestId("sign-out").click();
  await expect(page.getByTestId("signin-result")).toHaveCount(0);
  await expect(page.getByTestId("signin-status")).toHaveText("Signed out. The refresh token was deleted from the keychain.");
  await expect(page.getByTestId("signin-tenant")).toBeFocused();
  await expect(page.getByTestId("signin-device-code")).toBeEnabled();
  await expect(page.getByTestId("step-signin")).not.toContainText("done");
  expect(await calls(page, "sign_out")).toHaveLength(1);
});

test("opening the step shows who is already signed in", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft"), signedIn: GLOBAL_ADMIN });
  await openSignIn(page);
  await expect(page.getByTestId("signin-result")).toBeVisible();
  await expect(page.getByTestId("signed-in-user")).toContainText("admin@contoso.example");
  await expect(page.getByTestId("signed-in-tenant")).toHaveText(GLOBAL_ADMIN.user.tenant_id);
  await expect(page.getByTestId("step-signin")).toContainText("done");
  await expect(page.getByTestId("signin-browser")).toHaveCount(0);
  expect(await calls(page, "sign_in_browser")).toHaveLength(0);

  // Back to Tenant and again: still signed in (whoami again), still done.
  await page.getByTestId("step-tenant").click();
  await openSignIn(page);
  await expect(page.getByTestId("signin-result")).toBeVisible();
  expect(await calls(page, "whoami")).toHaveLength(2);
});

test("accessibility: the Sign-in page has no serious or critical axe violations", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft"), deviceCode: DEVICE_CODE, signIn: NO_ROLE });
  await openSignIn(page);
  await expect(page.getByTestId("client-id-help")).toBeVisible();
  await page.getByTestId("log-toggle").click();
  expect(await seriousViolations(page)).toEqual([]);

  // The device-code panel …
  await page.getByTestId("client-id").fill(CLIENT_ID);
  await page.getByTestId("signin-device-code").click();
  await expect(page.getByTestId("device-code-panel")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  // … the result with the role warning …
  await finishSignIn(page);
  await expect(page.getByTestId("role-warning")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test("accessibility: a failed Sign-in has no serious or critical axe violations", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("practice"), signInRejection: DECLINED });
  await openSignIn(page);
  await page.getByTestId("signin-browser").click();
  await expect(page.getByTestId("signin-wait-panel")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await finishSignIn(page);
  await expect(page.getByTestId("error-card")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});
