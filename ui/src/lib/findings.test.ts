import { describe, expect, it } from "vitest";
import type { DirectoryFinding } from "./bindings/DirectoryFinding";
import { DEFAULT_QUERY, applyQuery, distinct, rowWindow, toCsv, toJson } from "./findings";

const f = (dn: string, rule: DirectoryFinding["rule"], severity: DirectoryFinding["severity"], value: string, suggestion: string | null = null): DirectoryFinding => ({
  dn,
  attribute: "userPrincipalName",
  value,
  rule,
  severity,
  message: `${rule} problem`,
  suggestion,
});

const ROWS = [
  f("CN=Bob,DC=x", "diacritic", "warning", "böb@x.com", "bob@x.com"),
  f("CN=Ann,DC=x", "non_routable_suffix", "error", "ann@x.local"),
  f("CN=Cy,DC=x", "duplicate", "error", "cy@x.com"),
];

describe("applyQuery", () => {
  it("filters by rule and severity, searches case-insensitively and sorts both ways", () => {
    expect(applyQuery(ROWS, { ...DEFAULT_QUERY, rule: "duplicate" }).map((r) => r.dn)).toEqual(["CN=Cy,DC=x"]);
    expect(applyQuery(ROWS, { ...DEFAULT_QUERY, severity: "error" })).toHaveLength(2);
    expect(applyQuery(ROWS, { ...DEFAULT_QUERY, search: "X.LOCAL" }).map((r) => r.dn)).toEqual(["CN=Ann,DC=x"]);
    expect(applyQuery(ROWS, { ...DEFAULT_QUERY, search: "bob@" }).map((r) => r.dn)).toEqual(["CN=Bob,DC=x"]);
    expect(applyQuery(ROWS, { ...DEFAULT_QUERY, sort: "dn", dir: "asc" }).map((r) => r.dn)).toEqual(["CN=Ann,DC=x", "CN=Bob,DC=x", "CN=Cy,DC=x"]);
    expect(applyQuery(ROWS, { ...DEFAULT_QUERY, sort: "dn", dir: "desc" }).map((r) => r.dn)).toEqual(["CN=Cy,DC=x", "CN=Bob,DC=x", "CN=Ann,DC=x"]);
    // Ties keep scan order.
    expect(applyQuery(ROWS, { ...DEFAULT_QUERY, sort: "severity" }).map((r) => r.dn)).toEqual(["CN=Ann,DC=x", "CN=Cy,DC=x", "CN=Bob,DC=x"]);
  });

  it("lists distinct rules", () => {
    expect(distinct(ROWS, "rule")).toEqual(["diacritic", "duplicate", "non_routable_suffix"]);
  });
});

describe("rowWindow", () => {
  it("covers the viewport plus overscan and stays in range", () => {
    expect(rowWindow(0, 300, 30, 100_000, 5)).toEqual({ start: 0, end: 16 });
    expect(rowWindow(3000, 300, 30, 100_000, 5)).toEqual({ start: 95, end: 116 });
    expect(rowWindow(30 * 100_000, 300, 30, 100_000, 5)).toEqual({ start: 99_995, end: 100_000 });
    expect(rowWindow(0, 300, 30, 0)).toEqual({ start: 0, end: 0 });
  });
});

describe("export", () => {
  it("writes quoted CSV with a header and neutralises formulas", () => {
    const csv = toCsv([f("CN=Q \"x\",DC=x", "format", "error", "=cmd|' /C calc'!A0", null)]);
    const [header, row] = csv.split("\r\n");
    expect(header).toBe("dn,attribute,value,rule,severity,message,suggestion");
    expect(row).toBe('"CN=Q ""x"",DC=x","userPrincipalName","\'=cmd|\' /C calc\'!A0","format","error","format problem",""');
  });

  it("writes JSON in the CLI's findings shape", () => {
    expect(JSON.parse(toJson(ROWS))).toEqual({ findings: ROWS });
  });
});
