// What a rollback plan is, and the command lines every strategy's plan
// (strategies/) is built from: the quick kubectl command, the Pulumi-native
// commands that restore the previous state in stack config (so the declared
// state and the cluster agree), and how to verify it took effect. Every line
// runs as printed in a shell without a terminal.

export interface RollbackPlan {
  /** What the rollback returns to, for a human: `v2.3.1`, `slot blue (v3.1.0)`, ... */
  readonly target: string;
  /** One command line, run as is: the runbook's emergency rollback. */
  readonly quick: string;
  /** One command line: set the stack config back, then `pulumi up`. */
  readonly pulumi: string;
  /** One command line whose output shows whether the rollback took effect. */
  readonly verify: string;
  /** What `verify` prints once the rollback took effect. */
  readonly expect: string;
}

export interface RollbackContext {
  readonly namespace: string;
  readonly stack: string;
  /** Names the policy config the printed `pulumi up` attaches the pack with (policy/config/<environment>.json). */
  readonly environment: string;
}

/**
 * One `pulumi config set-all --path` for every key the rollback restores:
 * one CLI start instead of one per key. Keys name the service, never its
 * position. `--path` types values as `config set --path` does (0 a number,
 * false a boolean).
 */
export function configSetAll(service: string, ctx: RollbackContext, values: Readonly<Record<string, string | number>>): string {
  const pairs = Object.entries(values).map(([field, value]) => `--plaintext services.${service}.${field}=${value}`);
  return `pulumi config set-all --path ${pairs.join(" ")} --stack ${ctx.stack}`;
}

/**
 * The update, with the policy pack attached as the README's deploy section does: run from the
 * project's directory, the pack judges the rollback too (by its rollback items). Without the
 * flags the program's own gate still holds; the pack is the independent second judge.
 * `--yes`: without a terminal the CLI refuses to prompt, and the printed line
 * must run unattended. No `--skip-preview`: the preview pass is where the
 * policy pack's stack policies judge the whole plan before anything changes;
 * in the update itself they run only after the resources changed.
 */
export function pulumiUp(ctx: RollbackContext): string {
  return `pulumi up --stack ${ctx.stack} --yes --policy-pack policy --policy-pack-config policy/config/${ctx.environment}.json`;
}

/** A JSON argument, single-quoted for the shell. */
export function quote(json: unknown): string {
  return `'${JSON.stringify(json)}'`;
}
