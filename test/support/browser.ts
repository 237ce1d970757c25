import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { skipOrFailInCi } from './skip.ts';

/**
 * Debian's Chromium, driven by playwright-core. Browser tests never download a
 * browser of their own (that fails on our machines): .ci/run installs the
 * `chromium` package. Set ERRAND_TEST_CHROMIUM to use another binary.
 */
export const CHROMIUM_PATH = process.env.ERRAND_TEST_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Where browser tests keep their screenshots (git-ignored; CI keeps them as artifacts). */
export const ARTIFACTS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../test-artifacts',
);

/**
 * For `describe(name, { skip: skipUnlessChromium() }, ...)`: false when the
 * browser is installed, a reason to skip when it is not (outside CI), and a
 * thrown error under CI.
 */
export function skipUnlessChromium(): string | false {
  if (existsSync(CHROMIUM_PATH)) return false;
  return skipOrFailInCi(
    'browser tests',
    `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or see .ci/run)`,
    '',
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
}

/** A path for a screenshot named `name` under test-artifacts/, creating the folder. */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}
