import type { Event as WizardEvent } from "./bindings/Event";

export type LogEntry = {
  id: number;
  /** ISO time of the entry. */
  at: string;
  kind: "progress" | "log";
  level: string;
  text: string;
};

/** Progress and log lines for the drawer, newest last. */
class LogStore {
  entries = $state<LogEntry[]>([]);
  #next = 1;

  add(event: WizardEvent, now: Date = new Date()): LogEntry {
    const entry = toLogEntry(event, this.#next++, now);
    this.entries.push(entry);
    return entry;
  }

  note(level: string, text: string, now: Date = new Date()): void {
    this.entries.push({ id: this.#next++, at: now.toISOString(), kind: "log", level, text });
  }

  clear(): void {
    this.entries = [];
  }
}

export function toLogEntry(event: WizardEvent, id: number, now: Date): LogEntry {
  if (event.kind === "progress") {
    return {
      id,
      at: now.toISOString(),
      kind: "progress",
      level: "info",
      text: `${event.label} (${event.done}/${event.total})`,
    };
  }
  if (event.kind === "device_code") {
    // The code itself stays on the Sign-in page: the log only says that one was issued.
    // ts-rs types the u64 as bigint; over IPC it arrives as a JSON number.
    const minutes = Math.round(Number(event.expires_in_secs) / 60);
    return {
      id,
      at: now.toISOString(),
      kind: "log",
      level: "info",
      text: `Device code issued: enter it at ${event.verification_uri} within ${minutes} minute${minutes === 1 ? "" : "s"}.`,
    };
  }
  return { id, at: event.at || now.toISOString(), kind: "log", level: event.level, text: event.message };
}

/** HH:MM:SS in local time, or the raw text when it is not a date. */
export function formatTime(at: string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export const log = new LogStore();
