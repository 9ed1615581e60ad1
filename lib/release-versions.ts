// What a release of one service brings and what it replaces, as the
// checklist and the DeploymentRecord name them (each strategy says which:
// strategies/).

export interface ReleaseVersions {
  /** Serves once the update is done: rolling `version`, the live slot's, the canary's while it has traffic (else the stable's). */
  readonly version: string;
  /** What serves if the release is rolled back; null when there is nothing to go back to. */
  readonly previousVersion: string | null;
}
