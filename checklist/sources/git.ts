// tree-clean and release-tagged, and the commit and tag the record keeps:
// read from the project's repository with simple-git (the git CLI).
import { resolve } from "node:path";
import { simpleGit } from "simple-git";
import type { ItemResult } from "../item";
import { fail, pass } from "../results";

/** What git says about the working tree and HEAD. */
export interface GitFacts {
  /** HEAD's full SHA. */
  readonly commit: string;
  /** Paths that differ from HEAD, with git's two-letter porcelain code (`??` untracked, ` M` modified, `A ` staged). */
  readonly changes: readonly { readonly path: string; readonly code: string }[];
  /** Tags pointing at HEAD, highest version first; `annotated` false for a lightweight tag. */
  readonly tagsAtHead: readonly { readonly name: string; readonly annotated: boolean }[];
  /** The latest tag reachable from HEAD, when HEAD has none of its own. @default - none */
  readonly nearestTag?: string;
}

export interface GitDecision {
  readonly treeClean: ItemResult;
  readonly releaseTagged: ItemResult;
  readonly tag?: string;
}

const CHANGE_WORDS: Readonly<Record<string, string>> = { "?": "untracked", M: "modified", A: "added", D: "deleted", R: "renamed", C: "copied", U: "unmerged", T: "type changed" };

function changeWords(code: string): string {
  const letter = code.trim()[0] ?? "?";
  return CHANGE_WORDS[letter] ?? code.trim();
}

function short(commit: string): string {
  return commit.slice(0, 12);
}

export function decideGit(facts: GitFacts, source: string): GitDecision {
  const at = short(facts.commit);
  const shown = facts.changes.slice(0, 5).map((c) => `${c.path} (${changeWords(c.code)})`);
  const more = facts.changes.length > 5 ? ` and ${facts.changes.length - 5} more` : "";
  const treeClean =
    facts.changes.length === 0
      ? pass("tree-clean", source, `the working tree is clean at ${at}`)
      : fail(
          "tree-clean",
          source,
          `the working tree differs from ${at}: ${shown.join(", ")}${more}; what is deployed would not be what the commit says`,
          "commit or stash the changes (git status shows them), then run the update again",
        );

  const annotated = facts.tagsAtHead.find((t) => t.annotated);
  if (annotated !== undefined) {
    return { treeClean, releaseTagged: pass("release-tagged", source, `${at} carries the annotated tag ${annotated.name}`), tag: annotated.name };
  }
  const lightweight = facts.tagsAtHead[0];
  const releaseTagged =
    lightweight !== undefined
      ? fail(
          "release-tagged",
          source,
          `${at} carries only the lightweight tag ${lightweight.name}; a release needs an annotated tag, which records who tagged it and when`,
          `git tag -d ${lightweight.name} && git tag -a ${lightweight.name} -m "Release ${lightweight.name}" ${at} && git push origin ${lightweight.name}`,
        )
      : fail(
          "release-tagged",
          source,
          facts.nearestTag === undefined ? `${at} carries no tag` : `${at} carries no tag; the latest tag, ${facts.nearestTag}, is on an earlier commit`,
          `git tag -a <version> -m "Release <version>" ${at} && git push origin <version>`,
        );
  return { treeClean, releaseTagged };
}

/** The repository's path: `repoPath` relative to the project directory. */
export function repositoryPath(projectDir: string, repoPath: string): string {
  return resolve(projectDir, repoPath);
}

/** Reads the facts from the repository; throws when it is no repository or has no commit. */
export async function readGitFacts(repoPath: string, signal: AbortSignal): Promise<GitFacts> {
  const git = simpleGit({ baseDir: repoPath, abort: signal });
  const commit = (await git.revparse(["--verify", "HEAD"])).trim();
  const status = await git.status(["--untracked-files=all"]);
  const changes = status.files.map((file) => ({ path: file.path, code: `${file.index}${file.working_dir}` }));
  const refs = await git.raw(["for-each-ref", "--points-at", "HEAD", "--sort=-version:refname", "--format=%(refname:strip=2)%09%(objecttype)", "refs/tags"]);
  const tagsAtHead = refs
    .split("\n")
    .filter((line) => line.includes("\t"))
    .map((line) => {
      const [name = "", type = ""] = line.split("\t");
      return { name, annotated: type === "tag" };
    });
  let nearestTag: string | undefined;
  if (tagsAtHead.length === 0) {
    // No tag reachable is an answer, not a failure.
    nearestTag = (await git.raw(["describe", "--tags", "--abbrev=0", "HEAD"]).catch(() => "")).trim() || undefined;
  }
  return nearestTag === undefined ? { commit, changes, tagsAtHead } : { commit, changes, tagsAtHead, nearestTag };
}
