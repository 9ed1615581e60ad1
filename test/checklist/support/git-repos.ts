// Real git repositories in temporary directories, made with the git CLI,
// removed after the test file.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll } from "vitest";

export interface TempRepo {
  readonly dir: string;
  git(...args: string[]): string;
  write(file: string, text: string): void;
  /** Commits every change; returns the new HEAD. */
  commit(message: string): string;
}

/** A repository with one commit (README.md); removed after the calling test file. */
export function useTempRepos(): () => TempRepo {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-checklist-repo-"));
    dirs.push(dir);
    // Identity and no signing, whatever the machine's git config says.
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=Release Bot", "-c", "user.email=release@example.com", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", ...args], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: dir },
      }).trim();
    const repo: TempRepo = {
      dir,
      git,
      write: (file, text) => fs.writeFileSync(path.join(dir, file), text),
      commit: (message) => {
        git("add", "-A");
        git("commit", "-q", "-m", message);
        return git("rev-parse", "HEAD");
      },
    };
    git("init", "-q", "-b", "main");
    repo.write("README.md", "# app\n");
    repo.commit("first");
    return repo;
  };
}
