// The engine events of a CLI run, as they arrive: `pulumi up --event-log FILE`
// appends one JSON event per line; this follows the file while the CLI runs
// (every 20 ms, so the benchmark's breakdown sees when each step started and
// ended) and hands each complete line to `onEvent`. The CLI opens the file
// with O_TRUNC for each pass (`--yes`: the preview, then the update), so a
// file that shrank is read again from its start. A pass writes far more than
// 20 ms of the next one does, so the shrink is always seen.
import * as fs from "node:fs";
import type { EngineEvent } from "@pulumi/pulumi/automation";

const POLL_MS = 20;

export interface EventLogTail {
  /** Reads what is left, then stops following. */
  stop(): Promise<void>;
}

export function tailEventLog(file: string, onEvent: (event: EngineEvent) => void): EventLogTail {
  let offset = 0;
  let partial = "";
  const readNew = (): void => {
    let fd: number;
    try {
      fd = fs.openSync(file, "r");
    } catch {
      return; // not created yet
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size < offset) {
        offset = 0;
        partial = "";
      }
      if (size === offset) return;
      const buffer = Buffer.alloc(size - offset);
      fs.readSync(fd, buffer, 0, buffer.length, offset);
      offset = size;
      const lines = (partial + buffer.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") onEvent(JSON.parse(line) as EngineEvent);
    } finally {
      fs.closeSync(fd);
    }
  };
  const timer = setInterval(readNew, POLL_MS);
  return {
    stop: () => {
      clearInterval(timer);
      readNew();
      return Promise.resolve();
    },
  };
}
