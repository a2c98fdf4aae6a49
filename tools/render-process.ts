// The offline render run as its own process (`tsx tools/render.ts`), the way CI and reviewers run it.
// Whatever needs several stacks rendered (benchmarks, the chart check, the loopback stack, the tests)
// starts one process per stack: the program loads once per process, as the Pulumi CLI loads it.

import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { join, resolve } from "node:path";
import { overrideFlags, placeholderSecrets } from "./offline-config";

export const projectRoot = resolve(__dirname, "..");
export const tsx = join(projectRoot, "node_modules", ".bin", "tsx");

/** The render CLI's arguments (after the runtime): `tools/render.ts --stack <stack> --out <out> <flags…>`. */
export function renderArguments(stack: string, out: string, flags: readonly string[] = []): string[] {
    return ["tools/render.ts", "--stack", stack, "--out", out, ...flags];
}

/** The placeholder secrets a staging or prod render needs to pass validation, as flags; dev needs none. */
export function placeholderSecretFlags(stack: string): string[] {
    return stack === "dev" ? [] : overrideFlags(placeholderSecrets);
}

export interface RenderRun extends SpawnSyncReturns<string> {
    /** Where the stack's files are (or would be): `<out>/<stack>`. */
    readonly directory: string;
}

/** Runs the render of one stack into `out` and returns how it ended, whatever the outcome. */
export function runRender(
    stack: string,
    out: string,
    flags: readonly string[] = [],
    options: { readonly timeout?: number } = {},
): RenderRun {
    const result = spawnSync(tsx, renderArguments(stack, out, flags), {
        cwd: projectRoot,
        encoding: "utf8",
        ...options,
    });
    return { ...result, directory: join(out, stack) };
}

/** Renders one stack into `out`; returns `<out>/<stack>`, or throws with the render's output. */
export function renderInProcess(stack: string, out: string, flags: readonly string[] = []): string {
    const result = runRender(stack, out, flags);
    if (result.status !== 0)
        throw new Error(`render of ${stack} failed (rc ${String(result.status)}):\n${result.stderr}${result.stdout}`);
    return result.directory;
}
