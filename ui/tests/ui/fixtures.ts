// Playwright fixtures: a static server for the built dist/ on a random loopback
// port (one per worker), and `openApp`, which injects Tauri's mockIPC (built
// from harness.ts) with a scenario before the app's own scripts run.
import { test as base, expect, type Page } from "@playwright/test";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { AppInfo } from "../../src/lib/bindings/AppInfo";
import type { PracticeInfo } from "../../src/lib/bindings/PracticeInfo";
import type { SignInReport } from "../../src/lib/bindings/SignInReport";
import type { TenantReport } from "../../src/lib/bindings/TenantReport";
import type { Call, DeviceCodeEvent, Scenario } from "./harness";

const here = fileURLToPath(new URL(".", import.meta.url));
const dist = join(here, "..", "..", "dist");
const harness = join(here, ".harness", "harness.js");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

function serveDist(): Promise<Server> {
  const root = normalize(dist + sep);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    let file = normalize(join(root, path === "/" ? "index.html" : path));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, "index.html");
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

export const test = base.extend<
  { openApp: (scenario: Scenario) => Promise<void> },
  { appUrl: string }
>({
  appUrl: [
    async ({}, use) => {
      if (!existsSync(join(dist, "index.html"))) throw new Error("dist/ is missing: run `npm run build` first");
      if (!existsSync(harness)) throw new Error("the IPC harness is missing: run `npm run build:harness` first");
      const server = await serveDist();
      const { port } = server.address() as AddressInfo;
      await use(`http://127.0.0.1:${port}/`);
      await new Promise((resolve) => server.close(resolve));
    },
    { scope: "worker" },
  ],
  openApp: async ({ page, appUrl }, use) => {
    await use(async (scenario: Scenario) => {
      await page.addInitScript({ path: harness });
      await page.addInitScript((s) => (window as unknown as { hsMock: { install: (s: unknown) => void } }).hsMock.install(s), scenario);
      await page.goto(appUrl);
    });
  },
});

export { expect };

export async function calls(page: Page, cmd?: string): Promise<Call[]> {
  const all = await page.evaluate(() => (window as unknown as { __hsCalls: Call[] }).__hsCalls);
  return cmd ? all.filter((c) => c.cmd === cmd) : all;
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

type Violation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** The page's serious and critical axe violations, one line each (empty when there are none). */
export async function seriousViolations(page: Page): Promise<string[]> {
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

export const AUTHORITIES = [
  { id: "worldwide", label: "Worldwide", url: "https://login.microsoftonline.com" },
  { id: "us_government", label: "US Government", url: "https://login.microsoftonline.us" },
  { id: "china", label: "China (operated by 21Vianet)", url: "https://login.chinacloudapi.cn" },
];

export const PRACTICE: PracticeInfo = {
  authority: "https://127.0.0.1:48443",
  ca_file: "/home/admin/.local/share/hybridsync/practice/ca.pem",
  client_id: "4a1c0b8e-5d3f-4c2a-9e7b-61f0d2a9c3b5",
  tenant_domain: "contoso-practice.example",
  tenant_id: "5f1c1c38-0d8e-4a57-9a52-6b9d3f2e7a10",
};

/** AppInfo for a mode; `clientId` is what HYBRIDSYNC_CLIENT_ID would give (null: not set). */
export function appInfo(mode: AppInfo["mode"], clientId: string | null = null): AppInfo {
  return {
    version: "0.1.0",
    log_dir: "/home/admin/.local/state/hybridsync/logs",
    mode,
    practice: mode === "practice" ? PRACTICE : null,
    client_id: clientId,
    authorities: AUTHORITIES,
  };
}

export const CONTOSO: TenantReport = {
  input: "contoso.example",
  tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  authority: "https://login.microsoftonline.com",
  issuer: "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
  issuer_form: "v2",
  tenant_region_scope: "EU",
  cloud_instance_name: "microsoftonline.com",
  msgraph_host: "graph.microsoft.com",
  token_endpoint: "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token",
  findings: [
    {
      code: "tenant.region_scope",
      severity: "info",
      message: "The tenant is in the EU region scope.",
      evidence: ["tenant_region_scope=EU"],
      remediation: null,
    },
    {
      code: "tenant.issuer_fallback",
      severity: "warning",
      message: "The issuer was read from the token endpoint.",
      evidence: [],
      remediation: "tenant.issuer",
    },
  ],
};

export const DEVICE_CODE: DeviceCodeEvent = {
  kind: "device_code",
  user_code: "K7QP-2MXD",
  verification_uri: "https://microsoft.com/devicelogin",
  message: "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code K7QP-2MXD to authenticate.",
  expires_in_secs: 900,
};

export const GLOBAL_ADMIN: SignInReport = {
  user: {
    user_principal_name: "admin@contoso.example",
    display_name: "Adele Vance",
    object_id: "0c1f6d0a-6a2e-4d7b-9c3f-3f5d0a7b9e21",
    tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    roles: [
      { display_name: "Global Administrator", role_template_id: "62e90394-69f5-4237-9190-012177145e10" },
      { display_name: "Exchange Administrator", role_template_id: "29232cdf-9323-42fd-ade2-1d097af3e4de" },
    ],
  },
  authority: "https://login.microsoftonline.com",
  client_id: "11111111-2222-3333-4444-555555555555",
};

export const NO_ROLE: SignInReport = {
  ...GLOBAL_ADMIN,
  user: {
    ...GLOBAL_ADMIN.user,
    user_principal_name: "alex@contoso.example",
    display_name: "Alex Wilber",
    object_id: "9a8b7c6d-1e2f-4a3b-8c9d-0e1f2a3b4c5d",
    roles: [],
  },
};
