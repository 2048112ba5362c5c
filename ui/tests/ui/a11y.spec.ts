import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "@playwright/test";
import { CONTOSO, appInfo, expect, test } from "./fixtures";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

type Violation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

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
