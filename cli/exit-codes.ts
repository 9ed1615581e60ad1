// What `safe-deploy` exits with, so a script or a CI job tells the outcomes
// apart without reading the text.
export const EXIT = {
  /** Done: the preview, update or read went through. */
  ok: 0,
  /** The operation ran and failed (a rollout, a check, the engine). */
  failed: 1,
  /** Stopped before anything changed, by a gate: the policy pack, production's own gate, or the stack config. */
  refused: 2,
  /** A release failed (its smoke test, its verification, its rollout) and was taken back: `safe-deploy release`. */
  rolledBack: 3,
  /** Waiting for a person: a canary whose analysis could not decide in time (the release automation). */
  held: 4,
  /** A timeout the command was given ran out; the engine was told to stop. */
  timedOut: 5,
  /** The command line itself was wrong. */
  usage: 64,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
