// The troubleshooting card under every error card: what the knowledge base says about the failure.
import type { Card } from "../../src/lib/bindings/Card";
import { appInfo, calls, expect, seriousViolations, test } from "./fixtures";

const NOT_FOUND_CARD: Card = {
  entry_id: "tenant.check-domain",
  title: "No Microsoft 365 tenant found for that domain",
  symptom: "Tenant discovery answered that no tenant exists for the entered domain.",
  matched_by: "code",
  matched: "tenant_not_found",
  causes: [
    {
      rank: 1,
      text: "The domain is misspelt, or has not been added to the tenant.",
      status: "confirmed",
      checks: [{ id: "tenant_discovery", description: "The OpenID configuration of the domain answers.", outcome: "failed", saw: null }],
    },
    { rank: 2, text: "The tenant lives in another cloud.", status: "possible", checks: [] },
  ],
  fix: {
    action: { id: "tenant.reenter", label: "Enter the tenant again" },
    instructions: ["Check the spelling, or enter the tenant's .onmicrosoft.com domain or its tenant ID."],
  },
  sources: ["ms-api.md §1.1"],
};

const REJECTION = {
  code: "tenant_not_found",
  message: "no Microsoft 365 tenant found for nope.example",
  remediation: "tenant.check-domain",
};

test("a failed check shows its troubleshooting card: cause, what was checked, fix, source", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft"), rejections: { "nope.example": REJECTION }, cards: { tenant_not_found: NOT_FOUND_CARD } });
  await page.getByTestId("tenant-input").fill("nope.example");
  await page.getByTestId("find-tenant").click();
  const card = page.getByTestId("troubleshooting-card");
  await expect(card).toHaveAttribute("data-entry", "tenant.check-domain");
  await expect(page.getByTestId("ts-title")).toHaveText(NOT_FOUND_CARD.title);
  await expect(page.getByTestId("ts-top-cause")).toContainText("misspelt");
  await expect(page.getByTestId("ts-top-cause")).toHaveAttribute("data-status", "confirmed");
  await expect(page.locator('[data-check="tenant_discovery"]')).toHaveAttribute("data-outcome", "failed");
  await expect(page.getByTestId("ts-instructions")).toContainText(".onmicrosoft.com");
  await expect(page.getByTestId("ts-other-causes")).toContainText("another cloud");
  await expect(page.getByTestId("ts-sources")).toHaveText("ms-api.md §1.1");
  // The request carried the error's code, message and remediation id.
  const asked = await calls(page, "troubleshoot");
  expect(asked).toHaveLength(1);
  expect(asked[0].args).toMatchObject({ request: { code: "tenant_not_found", remediation: "tenant.check-domain", text: REJECTION.message } });
  expect(await seriousViolations(page)).toEqual([]);
});

test("no card is shown when the knowledge base does not know the failure", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("microsoft"), rejections: { "nope.example": REJECTION } });
  await page.getByTestId("tenant-input").fill("nope.example");
  await page.getByTestId("find-tenant").click();
  await expect(page.getByTestId("error-card")).toBeVisible();
  await expect.poll(async () => (await calls(page, "troubleshoot")).length).toBe(1);
  await expect(page.getByTestId("troubleshooting-card")).toHaveCount(0);
});
