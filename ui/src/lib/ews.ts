/**
 * The EWS retirement in Exchange Online, relative to a given day.
 * Facts (shared/reference/ms-api.md §7): from 1 October 2026 Exchange Online
 * blocks EWS for tenants that are not allow-listed; EWS ends on 1 April 2027.
 * Server-side sync from Dynamics 365 on-premises to Exchange Online uses EWS.
 */
export const EWS_BLOCK = { year: 2026, month: 10, day: 1 } as const;
export const EWS_END = { year: 2027, month: 4, day: 1 } as const;

export type EwsPhase = "before-block" | "blocked" | "ended";

export type EwsStatus = {
  phase: EwsPhase;
  /** Days from today until the block (negative once it has passed). */
  daysUntilBlock: number;
  /** Days from today until the end (negative once it has passed). */
  daysUntilEnd: number;
  tone: "warning" | "error";
  headline: string;
  detail: string;
  unaffected: string;
};

const DAY_MS = 86_400_000;
const MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

type CalendarDay = { year: number; month: number; day: number };

function dayNumber(d: CalendarDay): number {
  return Math.round(Date.UTC(d.year, d.month - 1, d.day) / DAY_MS);
}

/** The admin's local calendar day of `date`. */
export function localDay(date: Date): CalendarDay {
  return { year: date.getFullYear(), month: date.getMonth() + 1, day: date.getDate() };
}

export function formatDay(d: CalendarDay): string {
  return `${d.day} ${MONTHS[d.month - 1]} ${d.year}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Pure: the banner's wording for the calendar day of `today`. */
export function ewsStatus(today: Date | CalendarDay): EwsStatus {
  const day = today instanceof Date ? localDay(today) : today;
  const now = dayNumber(day);
  const daysUntilBlock = dayNumber(EWS_BLOCK) - now;
  const daysUntilEnd = dayNumber(EWS_END) - now;
  const block = formatDay(EWS_BLOCK);
  const end = formatDay(EWS_END);
  const dependency = "Server-side sync from Dynamics 365 on-premises to Exchange Online depends on EWS.";
  const unaffected =
    "The domain, directory, certificate, diagnosis and report parts of this wizard are unaffected.";

  if (daysUntilBlock > 0) {
    return {
      phase: "before-block",
      daysUntilBlock,
      daysUntilEnd,
      tone: "warning",
      headline: `Exchange Online blocks EWS in ${plural(daysUntilBlock, "day")} for tenants that are not allow-listed.`,
      detail: `From ${block} EWS is blocked unless your tenant is allow-listed, and it ends for every tenant on ${end} (in ${plural(daysUntilEnd, "day")}). ${dependency}`,
      unaffected,
    };
  }
  if (daysUntilEnd > 0) {
    return {
      phase: "blocked",
      daysUntilBlock,
      daysUntilEnd,
      tone: "warning",
      headline: `EWS ends in ${plural(daysUntilEnd, "day")}, on ${end}.`,
      detail: `Since ${block} Exchange Online blocks EWS for tenants that are not allow-listed. ${dependency}`,
      unaffected,
    };
  }
  return {
    phase: "ended",
    daysUntilBlock,
    daysUntilEnd,
    tone: "error",
    headline: daysUntilEnd === 0 ? `EWS ends today, ${end}.` : `EWS ended on ${end}.`,
    detail: `Exchange Online no longer offers EWS, so server-side sync from Dynamics 365 on-premises to Exchange Online cannot work.`,
    unaffected,
  };
}
