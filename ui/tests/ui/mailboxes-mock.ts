// Test-only: the mocked Email server profile and Mailboxes commands (issues 7 and 8), with a
// little state: a run makes every mailbox pending for `polls` status reads, then the `failing`
// ones fail (until a run that approves them) and the others succeed.

export type MailboxesScenario = {
  /** What crm_target answers (null: not practice mode). */
  target?: { url: string; api_version: string; ca_file: string | null } | null;
  profileExists?: boolean;
  /** Mailboxes in the selection. */
  total?: number;
  /** Mailbox ids that fail their test, with their alert text. */
  failing?: Record<string, string>;
  /** Status reads that still see them pending after a run. */
  polls?: number;
  /** mailboxes_run rejects with this ErrorPayload instead. */
  runError?: unknown;
  /** Progress labels mailboxes_run sends on its Channel, then waits `runMs` before answering. */
  progress?: string[];
  runMs?: number;
};

type Internals = { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } };

type Args = Record<string, unknown>;

export function mailboxesHandler(s: MailboxesScenario = {}) {
  let exists = s.profileExists ?? false;
  const total = s.total ?? 50;
  let failing = { ...(s.failing ?? {}) };
  let runs = 0;
  let left = 0;
  const profileChange = { target: "dynamics:emailserverprofiles/Exchange Online (Hybrid)", field: exists ? "minpollingintervalinminutes" : "(new profile)", before: exists ? 15 : null, after: exists ? 5 : { servertype: 3 } };
  return (cmd: string, a: Args): unknown => {
    switch (cmd) {
      case "crm_target":
        return s.target === undefined ? { url: "https://127.0.0.1:9443/contoso", api_version: "v9.0", ca_file: "/tmp/ca.pem" } : s.target;
      case "profile_plan":
        return {
          exists,
          findings: [{ code: exists ? "profile_found" : "profile_missing", severity: "info", message: exists ? "The email server profile exists." : "No email server profile is named \"Exchange Online (Hybrid)\"; it will be created.", evidence: [], remediation: null }],
          changes: [profileChange],
        };
      case "profile_apply":
        exists = true;
        return { changes: [profileChange], test: { code: "profile_test_succeeded", severity: "info", message: "The profile's last Test Connection succeeded.", evidence: [], remediation: null } };
      case "mailboxes_run": {
        if (s.runError !== undefined) throw s.runError;
        const actions = ((a.request ?? {}) as { actions?: { configure: boolean; approve: boolean; test: boolean } }).actions;
        if (runs > 0 && actions?.approve) failing = {};
        runs += 1;
        left = s.polls ?? 2;
        const answer = [{ target: "dynamics:mailboxes[all]", field: "server-side sync", before: { mailboxes: total }, after: { actions } }];
        const channel = a.onEvent as { id: number } | undefined;
        if (channel && s.progress) {
          const w = window as unknown as Internals;
          s.progress.forEach((label, index) =>
            w.__TAURI_INTERNALS__.runCallback(channel.id, { index, message: { kind: "progress", step: "mailboxes", done: (index + 1) * 10, total, label } }),
          );
        }
        return s.runMs ? new Promise((resolve) => setTimeout(() => resolve(answer), s.runMs)) : answer;
      }
      case "mailboxes_status": {
        if (runs === 0) return { counts: { total, success: 0, failure: 0, pending: total, requests: 1 }, failed: [] };
        if (left > 0) {
          left -= 1;
          return { counts: { total, success: 0, failure: 0, pending: total, requests: 1 }, failed: [] };
        }
        const failed = Object.keys(failing);
        return { counts: { total, success: total - failed.length, failure: failed.length, pending: 0, requests: 1 }, failed };
      }
      case "mailboxes_alerts": {
        // The engine's grouping (one group per alert text), the largest first.
        const groups: { text: string; details: string; mailbox_ids: string[] }[] = [];
        for (const id of ((a.ids ?? []) as string[]).filter((i) => failing[i])) {
          const g = groups.find((x) => x.text === failing[id]);
          if (g) g.mailbox_ids.push(id);
          else groups.push({ text: failing[id], details: "", mailbox_ids: [id] });
        }
        return groups.sort((x, y) => y.mailbox_ids.length - x.mailbox_ids.length);
      }
      default:
        throw { code: "unknown_command", message: `The mock has no command ${cmd}`, remediation: null };
    }
  };
}
