import type { CrmTarget } from "./bindings/CrmTarget";
import type { TroubleshootRequest } from "./bindings/TroubleshootRequest";
import * as ipc from "./ipc";

/** The CRM organization and profile the Profile and Mailboxes steps share. */
class Crm {
  /** The practice organization, or the address the admin typed. */
  url = $state("");
  apiVersion = $state("v9.0");
  caFile = $state<string | null>(null);
  practice = $state(false);
  profileName = $state("Exchange Online (Hybrid)");
  loaded = false;

  async load(): Promise<void> {
    if (this.loaded) return;
    const t = await ipc.crmTarget();
    this.loaded = true;
    if (t) {
      this.url = t.url;
      this.apiVersion = t.api_version;
      this.caFile = t.ca_file;
      this.practice = true;
    }
  }

  target(): CrmTarget {
    return { url: this.url.trim(), api_version: this.apiVersion, ca_file: this.caFile };
  }
}

export const crm = new Crm();

import type { AlertGroup } from "./bindings/AlertGroup";
export type { AlertGroup };

/** What the troubleshooting card asks about an alert: its text and details, and its mailboxes. */
export function requestForAlert(g: AlertGroup): TroubleshootRequest {
  const text = [g.text, g.details].filter((s) => s.trim() !== "").join("\n");
  return { code: "mailbox_test_failed", text, http_status: null, www_authenticate: null, remediation: null, checks: [], mailbox_ids: g.mailbox_ids };
}

/** The label of the run button: "Configure, approve and test 50 mailboxes". */
export function runLabel(a: { configure: boolean; approve: boolean; test: boolean }, n: number): string {
  const verbs = [a.configure && "configure", a.approve && "approve", a.test && "test"].filter(Boolean) as string[];
  if (verbs.length === 0) return "Choose what to do";
  const joined = verbs.length === 1 ? verbs[0] : `${verbs.slice(0, -1).join(", ")} and ${verbs[verbs.length - 1]}`;
  const noun = n === 1 ? "mailbox" : "mailboxes";
  return `${joined[0].toUpperCase()}${joined.slice(1)} ${n} ${noun}`;
}
