import type { Page } from "@playwright/test";
import { appInfo, calls, expect, seriousViolations, test } from "./fixtures";
import type { Domain } from "../../src/lib/bindings/Domain";
import type { DomainsScenario } from "./domains-mock";

const TXT = "MS=ms48151623";
const NEW = "northwindtraders.com";

const domain = (id: string, verified: boolean, extra: Partial<Domain> = {}): Domain => ({
  id,
  is_verified: verified,
  is_default: false,
  is_initial: false,
  is_root: true,
  authentication_type: "Managed",
  supported_services: verified ? ["Email", "OfficeCommunicationsOnline"] : [],
  availability_status: null,
  ...extra,
});

const DOMAINS: DomainsScenario = {
  domains: [domain("contoso.onmicrosoft.com", true, { is_initial: true }), domain("contoso.com", true, { is_default: true })],
  txtValue: TXT,
  servers: 2,
};

async function openDomains(page: Page) {
  await page.getByTestId("step-domains").click();
  await expect(page.getByRole("heading", { level: 1, name: "Domains" })).toBeVisible();
  await expect(page.getByTestId("domains-table")).toBeVisible();
}

async function setDns(page: Page, d: string, servers: number) {
  await page.evaluate(([d, n]) => (window as unknown as { __hsDns: (d: string, n: number) => void }).__hsDns(d as string, n as number), [d, servers]);
}

async function addDomain(page: Page, d: string) {
  await page.getByTestId("domain-input").fill(d);
  await page.getByTestId("domain-add").click();
  await expect(page.getByTestId("domain-status")).toBeVisible();
}

test("lists the tenant's domains with their state", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft"), domains: DOMAINS });
  await openDomains(page);
  const rows = page.getByTestId("domain-row");
  await expect(rows).toHaveCount(2);
  await expect(page.locator('[data-domain="contoso.com"] [data-testid="domain-state"]')).toHaveText("Verified");
  await expect(page.locator('[data-domain="contoso.com"]')).toContainText("Yes");
  await expect(page.getByTestId("domain-add")).toBeDisabled();
  expect(await seriousViolations(page)).toEqual([]);
});

test("add shows the TXT record; Verify waits until every authoritative server has it, then verifies once", async ({ page, openApp, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await openApp({ appInfo: appInfo("microsoft"), domains: DOMAINS });
  await openDomains(page);
  await addDomain(page, " NorthwindTraders.com. ");
  await expect(page.getByTestId("domain-status-state")).toHaveText("Not verified");
  await expect(page.getByTestId("txt-host")).toHaveText("@");
  await expect(page.getByTestId("txt-value")).toHaveText(TXT);
  await expect(page.getByTestId("txt-ttl")).toHaveText("3600");
  await expect(page.getByTestId("txt-hints")).toContainText("without quotes");
  await expect(page.getByTestId("domain-row")).toHaveCount(3);
  // No publish action outside practice mode.
  await expect(page.getByTestId("domain-publish")).toHaveCount(0);

  await page.getByTestId("txt-copy").click();
  await expect(page.getByTestId("txt-copy-status")).toHaveText("Copied.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(TXT);

  const auth = page.locator('[data-testid="dns-row"][data-role="authoritative"]');
  await expect(auth).toHaveCount(2);
  await expect(page.locator('[data-testid="dns-row"][data-has-value="true"][data-role="authoritative"]')).toHaveCount(0);
  await expect(page.getByTestId("domain-verify")).toBeDisabled();

  // The record on one server: 1 of 2, still no verify.
  await setDns(page, NEW, 1);
  await page.getByTestId("domain-recheck").click();
  await expect(page.getByTestId("dns-agreement")).toContainText("1 of 2 authoritative name servers");
  await expect(page.locator('[data-testid="dns-row"][data-has-value="true"][data-role="authoritative"]')).toHaveCount(1);
  await expect(page.getByTestId("domain-verify")).toBeDisabled();
  expect(await calls(page, "domain_verify")).toHaveLength(0);

  // On both: Verify is enabled and verifies.
  await setDns(page, NEW, 2);
  await page.getByTestId("domain-recheck").click();
  await expect(page.getByTestId("dns-agreement")).toContainText("All 2 authoritative name servers");
  await expect(page.getByTestId("domain-verify")).toBeEnabled();
  await page.getByTestId("domain-verify").click();
  await expect(page.getByTestId("domain-status-state")).toHaveText("Verified");
  await expect(page.locator(`[data-domain="${NEW}"] [data-testid="domain-state"]`)).toHaveText("Verified");
  expect(await calls(page, "domain_verify")).toHaveLength(1);
  await expect(page.getByTestId("guard-reason")).toContainText("on-premises");
  await expect(page.getByTestId("service-records")).toContainText("northwindtraders-com.mail.protection.outlook.com");
});

test("the DNS table refreshes by itself while polling", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft"), domains: DOMAINS });
  await openDomains(page);
  await addDomain(page, NEW);
  await expect(page.getByTestId("dns-poll-note")).toContainText("next check in 2 s");
  await setDns(page, NEW, 2);
  // The first scheduled check (2 s) sees the record without a click.
  await expect(page.getByTestId("domain-verify")).toBeEnabled({ timeout: 8000 });
  expect((await calls(page, "domain_status")).length).toBeGreaterThanOrEqual(1);
});

test("in practice mode 'Publish the record for me' publishes it and Verify becomes available", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("practice"), domains: DOMAINS });
  await openDomains(page);
  await addDomain(page, NEW);
  await expect(page.getByTestId("domain-verify")).toBeDisabled();
  await page.getByTestId("domain-publish").click();
  await expect(page.getByTestId("domain-verify")).toBeEnabled();
  const published = await calls(page, "domain_publish_practice");
  expect(published.map((c) => (c.args as { domain: string }).domain)).toEqual([NEW]);
  await page.getByTestId("domain-verify").click();
  await expect(page.getByTestId("domain-status-state")).toHaveText("Verified");
  expect(await seriousViolations(page)).toEqual([]);
});

test("a user without the role sees the refusal with the role named", async ({ page, openApp }) => {
  const refusal = {
    code: "role_missing",
    message: "user@contoso.onmicrosoft.com cannot add and verify the domain: that needs the Domain Name Administrator role (or Global Administrator), and the account has no directory role.",
    remediation: "signin.role-missing",
  };
  await openApp({ appInfo: appInfo("microsoft"), domains: { ...DOMAINS, addRejection: refusal } });
  await openDomains(page);
  await page.getByTestId("domain-input").fill(NEW);
  await page.getByTestId("domain-add").click();
  await expect(page.getByTestId("error-card")).toHaveAttribute("data-code", "role_missing");
  await expect(page.getByTestId("error-message")).toContainText("Domain Name Administrator");
  await expect(page.getByTestId("domain-row")).toHaveCount(2);
});

test("Graph's refusal to verify is shown with its message", async ({ page, openApp }) => {
  const refusal = {
    code: "domain_not_verified",
    message: "Microsoft 365 did not verify northwindtraders.com (HTTP 400): Domain verification failed. The DNS record was not found.",
    remediation: "domains.verify-failed",
  };
  await openApp({ appInfo: appInfo("microsoft"), domains: { ...DOMAINS, verifyRejection: refusal } });
  await openDomains(page);
  await addDomain(page, NEW);
  await setDns(page, NEW, 2);
  await page.getByTestId("domain-recheck").click();
  await page.getByTestId("domain-verify").click();
  await expect(page.getByTestId("error-message")).toContainText("Domain verification failed. The DNS record was not found.");
  await expect(page.getByTestId("domain-status-state")).toHaveText("Not verified");
});

test("a subdomain of a verified domain asks for no TXT record", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft"), domains: DOMAINS });
  await openDomains(page);
  await addDomain(page, "sales.contoso.com");
  await expect(page.getByTestId("domain-status-state")).toHaveText("Verified");
  await expect(page.getByTestId("domain-subdomain")).toContainText("subdomain of contoso.com");
  await expect(page.getByTestId("txt-record")).toHaveCount(0);
});
