import { CONTOSO, appInfo, expect, seriousViolations, test } from "./fixtures";

test("accessibility: the Tenant page has no serious or critical axe violations", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo("practice"), tenants: { "contoso.example": CONTOSO } });
  await expect(page.getByTestId("tenant-input")).toBeVisible();
  await page.getByTestId("log-toggle").click();
  expect(await seriousViolations(page)).toEqual([]);

  // With a result …
  await page.getByTestId("tenant-input").fill("contoso.example");
  await page.getByTestId("find-tenant").click();
  await expect(page.getByTestId("tenant-id")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  // … and with the troubleshooting card.
  await page.getByTestId("tenant-input").fill("nosuch.example");
  await page.getByTestId("find-tenant").click();
  await expect(page.getByTestId("error-card")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test("accessibility: the first-start choice has no serious or critical axe violations", async ({ page, openApp }) => {
  await openApp({ appInfo: appInfo(null) });
  await expect(page.getByTestId("choose-practice")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});
