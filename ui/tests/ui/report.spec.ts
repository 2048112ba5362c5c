// The run report as an auditor opens it: the real CLI runs a plan against the practice tenant
// (`hybridsync sim`) and writes the report; Chromium opens the file with the network blocked,
// so the report must be self-contained.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { expect, test } from "@playwright/test";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const exe = join(root, "target", "debug", process.platform === "win32" ? "hybridsync.exe" : "hybridsync");

type Sim = { child: ChildProcess; authority: string; ca_file: string };

function startSim(dir: string, home: string): Promise<Sim> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, ["sim", "--json", "--dir", dir], { env: { ...process.env, HYBRIDSYNC_HOME: home } });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      try {
        const v = JSON.parse(out) as { authority: string; ca_file: string };
        resolve({ child, authority: v.authority, ca_file: v.ca_file });
      } catch {
        // the JSON object is not complete yet
      }
    });
    child.on("exit", (code) => reject(new Error(`hybridsync sim exited with ${code}: ${out}`)));
  });
}

let work: string;
let sim: Sim;

test.beforeAll(async () => {
  expect(existsSync(exe), `${exe} is built by scripts/test.sh before the UI tests`).toBe(true);
  work = mkdtempSync(join(tmpdir(), "hs-report-"));
  sim = await startSim(join(work, "sim"), join(work, "home"));
});

test.afterAll(() => {
  sim?.child.kill();
  if (work) rmSync(work, { recursive: true, force: true });
});

function runPlan(domain: string, report: string): { status: number | null; stdout: string; stderr: string } {
  const plan = join(work, `${domain}.toml`);
  writeFileSync(plan, `[tenant]\ndomain = "${domain}"\nauthority = "${sim.authority}"\nca_file = '${sim.ca_file}'\n`);
  const r = spawnSync(exe, ["run", "--plan", plan, "--journal", join(work, `${domain}.jsonl`), "--report", report], {
    env: { ...process.env, HYBRIDSYNC_HOME: join(work, "home") },
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("the HTML report of a run opens offline in Chromium with every section", async ({ page }) => {
  const file = join(work, "contoso.html");
  const r = runPlan("contoso.com", file);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/Report: .*contoso\.html \(SHA-256 [0-9a-f]{64}\)/);

  const external: string[] = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:")) return route.continue();
    external.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href);
  for (const id of ["summary", "environment", "steps", "changes", "mailboxes", "findings", "certificates", "assumptions", "procedure"]) {
    await expect(page.locator(`section#${id} h2`), `section ${id}`).toBeVisible();
  }
  await expect(page.locator("section#environment")).toContainText("3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91");
  await expect(page.locator("section#steps")).toContainText("Find the tenant");
  await expect(page.locator("section#assumptions")).toContainText("UNCONFIRMED");
  await expect(page.locator("section#procedure tbody tr").first()).toBeVisible();
  expect(external, "the report loads nothing from outside the file").toEqual([]);
  // Printable: the print stylesheet keeps every section.
  await page.emulateMedia({ media: "print" });
  await expect(page.locator("section#findings h2")).toBeVisible();
});

test("a failed run's report shows the failure with its troubleshooting entry", async ({ page }) => {
  const file = join(work, "nope.html");
  const r = runPlan("nope.example", file);
  expect(r.status).toBe(3);
  expect(r.stderr).toContain("likely cause: ");
  await page.goto(pathToFileURL(file).href);
  await expect(page.locator("section#findings")).toContainText("tenant_not_found");
  await expect(page.locator("section#findings")).toContainText("tenant.check-domain");
  // No token or key material ever reaches the file.
  const html = readFileSync(file, "utf8");
  expect(html).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
  expect(html).not.toContain("PRIVATE KEY");
});
