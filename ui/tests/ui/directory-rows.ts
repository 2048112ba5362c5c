// Generated directory findings for the mocked directory_scan (harness.ts) and the tests that check them.
const RULES = ["diacritic", "duplicate", "non_routable_suffix", "character", "length"] as const;

/** The i-th generated directory finding (deterministic, so tests can predict sorting and search). */
export function directoryFinding(i: number) {
  const n = String(i).padStart(6, "0");
  return {
    dn: `CN=User ${n},OU=Staff,DC=contoso,DC=local`,
    attribute: i % 2 === 0 ? "userPrincipalName" : "proxyAddresses",
    value: `user${n}@contoso.local`,
    rule: RULES[i % RULES.length],
    severity: i % 3 === 0 ? "warning" : "error",
    message: `finding ${n}`,
    suggestion: i % 4 === 0 ? `user${n}@contoso.com` : null,
  };
}
