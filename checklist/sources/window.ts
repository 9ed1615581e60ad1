// deployment-window: is `now` inside one of the configured open spans, in the
// configured time zone? Outside it, an emergency override (who, why, when)
// lets the release through, and the item says so, so the record shows it.
import { WEEKDAYS, type ChecklistConfig, type OpenSpan, type Override, type Weekday } from "../../config/checklist";
import { configKeyPath } from "../../config/load";
import type { ItemResult } from "../item";
import { fail, notConfigured, pass } from "../results";
import { attestationAge } from "./attestations";

const WINDOW_KEY = configKeyPath(["checklist", "window"]);
const OVERRIDE_KEY = configKeyPath(["checklist", "override"]);

/** The weekday and `HH:MM` of an instant in a time zone. */
export function localTime(now: Date, timeZone: string): { day: Weekday; time: string } {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  const day = part("weekday").toLowerCase().slice(0, 3) as Weekday;
  return { day, time: `${part("hour")}:${part("minute")}` };
}

/** The day before `day`: a span that crosses midnight is still open on the morning after one of its days. */
function dayBefore(day: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + WEEKDAYS.length - 1) % WEEKDAYS.length]!;
}

/** Whether `span` is open at `time` on `day`: from `from` to `to` on its days, or, crossing midnight, until `to` the day after. */
export function isOpen(span: OpenSpan, day: Weekday, time: string): boolean {
  if (span.from < span.to) return span.days.includes(day) && span.from <= time && time < span.to;
  return (span.days.includes(day) && span.from <= time) || (span.days.includes(dayBefore(day)) && time < span.to);
}

function spanWords(span: OpenSpan): string {
  return `${span.days.join(",")} ${span.from}-${span.to}`;
}

export function decideWindow(
  window: ChecklistConfig["window"],
  override: Override | undefined,
  now: Date,
  maxAgeHours: number,
): ItemResult {
  const item = "deployment-window";
  if (window === undefined) {
    return notConfigured(item, WINDOW_KEY, `pulumi config set --path checklist.window.timeZone Europe/Berlin (the default open spans are mon-thu 09:00-16:00, fri 09:00-14:00)`);
  }
  const source = `clock and config ${WINDOW_KEY}`;
  const { day, time } = localTime(now, window.timeZone);
  const at = `${day} ${time} ${window.timeZone}`;
  const open = window.open.find((span) => isOpen(span, day, time));
  if (open !== undefined) return pass(item, source, `${at} is inside the window (${spanWords(open)})`);
  const spans = window.open.map(spanWords).join("; ");
  const outside = `${at} is outside the window (${spans})`;
  if (override === undefined) {
    return fail(item, source, outside, `wait for the window, or in an emergency: pulumi config set --path checklist.override.by <name>, .reason <why>, .at <now, ISO 8601> (recorded with the release)`);
  }
  const age = attestationAge(override.at, now, maxAgeHours);
  const overrideSource = `clock and config ${OVERRIDE_KEY}`;
  if (!age.fresh) {
    return fail(item, overrideSource, `${outside}; the emergency override by ${override.by} ${age.words}`, `set checklist.override.at to now if the emergency still holds, or remove ${OVERRIDE_KEY}`);
  }
  return pass(item, overrideSource, `${outside}; EMERGENCY OVERRIDE by ${override.by} at ${override.at}: ${override.reason}`);
}

