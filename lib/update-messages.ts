// The messages the updates of `safe-deploy release`, `promote` and `abort`
// carry in the stack history, written and read back in one place: what a
// person reads in `pulumi stack history`, and what `safe-deploy report` builds
// a release's timeline from (which share the analysis passed, and when it
// failed, is only on record there).
//
//   safe-deploy release recommendation-engine v4.3.0: v4.3.0 as the canary at 30% of the traffic; the canary analysis passed v4.3.0 as the canary at 10% of the traffic after 62 s
//   safe-deploy release recommendation-engine v4.1.0: taken back (aborted): the canary analysis failed v4.1.0: ...
//   safe-deploy abort recommendation-engine v4.2.0: abort the canary v4.2.0: ...; by hand: too little traffic tonight

export type MessageCommand = "release" | "promote" | "abort";

export interface UpdateMessage {
  readonly command: MessageCommand;
  readonly service: string;
  readonly version: string;
  /** What the update does (a release step's words), or, for a take-back, why. */
  readonly what: string;
  /** A release's take-back: the outcome it ends in. @default - not a take-back */
  readonly takenBack?: "rolled-back" | "aborted";
  /** The analysis' pass of the share before this update, in words. @default - none */
  readonly passed?: string;
  /** `--again`'s reason: a version taken back, released once more. @default - none */
  readonly again?: string;
  /** A person's reason for `promote` or `abort`. @default - none */
  readonly byHand?: string;
}

const PASSED = "the canary analysis passed ";
const AGAIN = "released again: ";
const BY_HAND = "by hand: ";

export function formatUpdateMessage(message: UpdateMessage): string {
  const body = message.takenBack === undefined ? message.what : `taken back (${message.takenBack}): ${message.what}`;
  const notes = [
    ...(message.passed === undefined ? [] : [message.passed.startsWith(PASSED) ? message.passed : `${PASSED}${message.passed}`]),
    ...(message.again === undefined ? [] : [`${AGAIN}${message.again}`]),
    ...(message.byHand === undefined ? [] : [`${BY_HAND}${message.byHand}`]),
  ];
  return `safe-deploy ${message.command} ${message.service} ${message.version}: ${[body, ...notes].join("; ")}`;
}

/** The message read back; undefined for any other update's message. */
export function parseUpdateMessage(text: string | undefined): UpdateMessage | undefined {
  const head = /^safe-deploy (release|promote|abort) (\S+) (\S+): (.*)$/s.exec(text ?? "");
  if (head === null) return undefined;
  let body = head[4] ?? "";
  const notes: { again?: string; byHand?: string; passed?: string } = {};
  // Notes come last, in a fixed order; a take-back's reasons may hold "; " themselves, so they are cut from the end.
  for (const [key, prefix] of [["byHand", BY_HAND], ["again", AGAIN]] as const) {
    const at = body.lastIndexOf(`; ${prefix}`);
    if (at >= 0) {
      notes[key] = body.slice(at + 2 + prefix.length);
      body = body.slice(0, at);
    }
  }
  const takenBack = /^taken back \((rolled-back|aborted)\): (.*)$/s.exec(body);
  if (takenBack === null) {
    const at = body.indexOf(`; ${PASSED}`);
    if (at >= 0) {
      notes.passed = body.slice(at + 2);
      body = body.slice(0, at);
    }
  }
  return {
    command: head[1] as MessageCommand,
    service: head[2] ?? "",
    version: head[3] ?? "",
    what: takenBack === null ? body : (takenBack[2] ?? ""),
    ...(takenBack === null ? {} : { takenBack: takenBack[1] as "rolled-back" | "aborted" }),
    ...notes,
  };
}
