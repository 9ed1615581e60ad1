// A database migration Job ends, one way or the other, soon: a bounded
// number of retries (`backoffLimit`) and a deadline (`activeDeadlineSeconds`),
// so a broken migration fails the update instead of retrying for hours. It
// stays after it finishes (no `ttlSecondsAfterFinished`: a Job that deletes
// itself drifts from the stack and runs again on the next update), and its
// name carries the version it migrates to, so each version's migration is
// its own Job and `kubectl get jobs` shows which ran.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { LABELS, podLabel, TYPES } from "../lib/kubernetes";
import { configOf, validateKubernetes } from "../lib/validate";
import { at, str, UNKNOWN } from "../lib/values";

export interface BoundedMigrationsConfig {
  /** @default 6 */
  readonly maxBackoffLimit: number;
  /** @default 3600 */
  readonly maxActiveDeadlineSeconds: number;
}

export const BOUNDED_MIGRATIONS_DEFAULTS: BoundedMigrationsConfig = { maxBackoffLimit: 6, maxActiveDeadlineSeconds: 3600 };

export const configureBoundedMigrations: ResourceValidationPolicy = {
  name: "configure-bounded-migrations",
  description:
    "Migration Jobs (labelled safe-deploy.dev/migration-kind) set backoffLimit (at most maxBackoffLimit, default 6) and activeDeadlineSeconds (at most maxActiveDeadlineSeconds, default 3600), " +
    "set no ttlSecondsAfterFinished, and are named '<prefix>-<version>' after their app.kubernetes.io/version label. " +
    "Fix: set those fields on the Job (in safe-deploy: services.<name>.migration.backoffLimit and activeDeadlineSeconds) and name it after the version.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxBackoffLimit: { type: "integer", minimum: 0, default: BOUNDED_MIGRATIONS_DEFAULTS.maxBackoffLimit, description: "The most retries a migration may make." },
      maxActiveDeadlineSeconds: {
        type: "integer",
        minimum: 1,
        default: BOUNDED_MIGRATIONS_DEFAULTS.maxActiveDeadlineSeconds,
        description: "The longest a migration may run, in seconds.",
      },
    },
  },
  validateResource: validateKubernetes([TYPES.job], (object, args, report) => {
    const kind = podLabel(object.type, object.props, LABELS.migrationKind);
    if (kind === undefined) return;
    const { maxBackoffLimit, maxActiveDeadlineSeconds } = configOf(args, BOUNDED_MIGRATIONS_DEFAULTS);
    const spec = at(object.props, "spec");
    if (spec === UNKNOWN) return;

    const backoffLimit = at(spec, "backoffLimit");
    if (backoffLimit === undefined || backoffLimit === null) {
      report(`${object.label} sets no backoffLimit, so Kubernetes retries a failing migration 6 times; set spec.backoffLimit (at most ${maxBackoffLimit}).`);
    } else if (typeof backoffLimit === "number" && backoffLimit > maxBackoffLimit) {
      report(`${object.label} retries ${backoffLimit} times (backoffLimit); a migration that failed ${maxBackoffLimit} times needs a person. Set spec.backoffLimit to ${maxBackoffLimit} or less.`);
    }

    const deadline = at(spec, "activeDeadlineSeconds");
    if (deadline === undefined || deadline === null) {
      report(`${object.label} sets no activeDeadlineSeconds, so a hung migration holds the update forever; set spec.activeDeadlineSeconds (at most ${maxActiveDeadlineSeconds}).`);
    } else if (typeof deadline === "number" && deadline > maxActiveDeadlineSeconds) {
      report(`${object.label} may run ${deadline} s (activeDeadlineSeconds); at most ${maxActiveDeadlineSeconds} s is allowed. Lower spec.activeDeadlineSeconds.`);
    }

    const ttl = at(spec, "ttlSecondsAfterFinished");
    if (ttl !== undefined && ttl !== null && ttl !== UNKNOWN) {
      report(
        `${object.label} sets ttlSecondsAfterFinished, so it deletes itself after it finishes: the cluster then drifts from the stack and the next update runs the migration again. ` +
          `Remove spec.ttlSecondsAfterFinished.`,
      );
    }

    const name = str(at(object.props, "metadata", "name"));
    const version = podLabel(object.type, object.props, LABELS.version);
    if (name === UNKNOWN || version === UNKNOWN) return;
    if (version === undefined) {
      report(`${object.label} declares no '${LABELS.version}' label, so nothing says which version it migrates to. Label it with the version whose code needs it.`);
    } else if (name !== undefined && !name.endsWith(`-${version}`)) {
      report(
        `${object.label} migrates to ${version} but its name does not end in '-${version}', so one version's migration could be mistaken for (or replace) another's. ` +
          `Name it '<prefix>-${version}'.`,
      );
    }
  }),
};
