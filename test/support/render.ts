// The offline render in a child process, for tests: into a folder removed when the test file ends,
// a failed render failing the test with its output.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runRender, type RenderRun } from "../../tools/render-process";
import { temporaryDirectory } from "./temporary";

export { placeholderSecretFlags } from "../../tools/render-process";

/** Runs the render of a stack into a fresh temporary folder, whatever the outcome (for refusals). */
export function tryRender(stack: string, flags: readonly string[] = [], options: { timeout?: number } = {}): RenderRun {
    return runRender(stack, temporaryDirectory(`render-${stack}-`), flags, options);
}

/** Renders a stack into a fresh temporary folder and returns `<out>/<stack>`; a failure fails the test. */
export function renderToDirectory(stack: string, flags: readonly string[] = []): string {
    const result = tryRender(stack, flags);
    assert.equal(result.status, 0, `rendering ${stack} failed:\n${result.stdout}${result.stderr}`);
    return result.directory;
}

/** Renders a stack and returns the path of one of its files (e.g. "alertmanager.yaml"). */
export function renderedFile(stack: string, file: string, flags: readonly string[] = []): string {
    return join(renderToDirectory(stack, flags), file);
}

/** A rendered JSON file, parsed. */
export function readJson<T>(directory: string, ...path: string[]): T {
    return JSON.parse(readFileSync(join(directory, ...path), "utf8")) as T;
}
