// Debian's Chromium, headless, driven by puppeteer-core, for anything a
// person looks at: open a file, take a screenshot, and read what the page
// laid out (boxes, overflow) and what the screenshot shows (pixels).
// Without the binary the tests are skipped loudly, naming the install command.
import * as fs from "node:fs";
import { PNG } from "pngjs";
// puppeteer-core is an ES module only: its types imported as one, the module loaded by import().
import type { Page } from "puppeteer-core" with { "resolution-mode": "import" };
import { ENSURE_COMMAND } from "../../tools/toolchain/paths";
import { debianBinary, debianReady } from "./debian-binary";

/** The `chromium` executable on PATH, or undefined. */
export const chromiumBinary = (): string | undefined => debianBinary("chromium");

/** Whether chromium is installed; warns loudly (what is skipped, and the install command) when not. */
export const chromiumReady = (what: string): boolean => debianReady("chromium", what);

export interface Looked {
  readonly png: PNG;
  readonly page: Page;
}

/** Opens `file` in a window `width` pixels wide, screenshots the whole page to `screenshot`, and hands the page to `look` before closing. */
export async function lookAt<T>(file: string, screenshot: string, look: (looked: Looked) => Promise<T>, width = 1100): Promise<T> {
  const executablePath = chromiumBinary();
  if (executablePath === undefined) throw new Error(`chromium is not installed; run ${ENSURE_COMMAND}`);
  // As root (CI) Chromium needs --no-sandbox; nothing it opens here comes from outside.
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = await puppeteer.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"], timeout: 60_000 });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width, height: 900 });
    await page.goto(`file://${file}`, { waitUntil: "load", timeout: 30_000 });
    await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
    const png = PNG.sync.read(fs.readFileSync(screenshot));
    return await look({ png, page });
  } finally {
    await browser.close();
  }
}

/** How many pixels of the screenshot inside `box` (CSS pixels; the screenshot is at scale 1) are within `tolerance` of `hex`. */
export function pixelsOf(png: PNG, hex: string, box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number }, tolerance = 40): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  let count = 0;
  for (let y = Math.max(0, Math.floor(box.y)); y < Math.min(png.height, box.y + box.height); y++) {
    for (let x = Math.max(0, Math.floor(box.x)); x < Math.min(png.width, box.x + box.width); x++) {
      const i = (png.width * y + x) * 4;
      if (Math.abs(png.data[i]! - r) + Math.abs(png.data[i + 1]! - g) + Math.abs(png.data[i + 2]! - b) <= tolerance) count++;
    }
  }
  return count;
}
