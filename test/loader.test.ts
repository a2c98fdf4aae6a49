// How `pulumi up` loads the program: Pulumi.yaml turns Pulumi's ts-node path off (typescript: false)
// and starts node with tsx's CommonJS hook (nodeargs). The program then needs no TypeScript compiler
// at load time, so neither a TypeScript upgrade nor `npm ci --omit=dev` can break it.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { pulumiNodeArgs, pulumiRuntimeOptions } from "../tools/loader";

const root = resolve(__dirname, "..");
const temporary: string[] = [];
after(() => {
    for (const directory of temporary) rmSync(directory, { recursive: true, force: true });
});

interface LockEntry {
    dev?: boolean;
    devOptional?: boolean;
    optional?: boolean;
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
}
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
};

describe("the program loader", () => {
    it("Pulumi.yaml turns the ts-node path off and loads through tsx's CommonJS hook", () => {
        const options = pulumiRuntimeOptions(root);
        assert.equal(options.typescript, false);
        assert.deepEqual(pulumiNodeArgs(root), ["--require", "tsx/cjs"]);
    });

    it("the loader and everything it needs are production packages: `npm ci --omit=dev` keeps them", () => {
        // The lock marks what --omit=dev leaves out (dev, devOptional); walk the loader's closure.
        const pending = ["tsx"];
        const seen = new Set<string>();
        while (pending.length > 0) {
            const name = pending.pop() as string;
            if (seen.has(name)) continue;
            seen.add(name);
            const entry = lock.packages[`node_modules/${name}`];
            if (entry === undefined) {
                // An optional dependency of another platform (fsevents, @esbuild/darwin-arm64, …).
                continue;
            }
            assert.notEqual(entry.dev, true, `${name} is a dev package: npm ci --omit=dev drops it`);
            assert.notEqual(entry.devOptional, true, `${name} is a dev package: npm ci --omit=dev drops it`);
            pending.push(...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}));
        }
        assert.ok(seen.has("esbuild"));
        // And TypeScript is not: it is only for `npm test`'s type check.
        assert.equal(
            lock.packages["node_modules/typescript"]?.devOptional ?? lock.packages["node_modules/typescript"]?.dev,
            true,
        );
    });

    it("runs the whole program (dev, under mocks) with Pulumi.yaml's nodeargs while TypeScript and ts-node cannot load", () => {
        const directory = mkdtempSync(join(tmpdir(), "loader-"));
        temporary.push(directory);
        // As after `npm ci --omit=dev` or with a TypeScript the loader could not run: any attempt to
        // load the compiler (or ts-node) fails the run.
        const guard = join(directory, "no-typescript.cjs");
        writeFileSync(
            guard,
            `const Module = require("node:module");
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
    if (request === "typescript" || request.startsWith("typescript/") || request.startsWith("ts-node"))
        throw new Error("the loader asked for " + request);
    return resolveFilename.call(this, request, ...rest);
};
`,
        );
        const result = spawnSync(
            process.execPath,
            ["--require", guard, ...pulumiNodeArgs(root), "tools/render.ts", "--stack", "dev", "--out", directory],
            { cwd: root, encoding: "utf8", timeout: 120_000 },
        );
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /^rendered stack dev: \d+ resources/m);
    });

    it("Renovate proposes no TypeScript beyond what the type check and lint run (typescript-eslint's range)", () => {
        const renovate = JSON.parse(readFileSync(join(root, "renovate.json"), "utf8")) as {
            packageRules: { matchPackageNames?: string[]; allowedVersions?: string }[];
        };
        const rule = renovate.packageRules.find((r) => r.matchPackageNames?.includes("typescript"));
        assert.ok(rule, "renovate.json has no rule for typescript");
        const peer = (
            JSON.parse(readFileSync(join(root, "node_modules", "typescript-eslint", "package.json"), "utf8")) as {
                peerDependencies: Record<string, string>;
            }
        ).peerDependencies.typescript;
        const upper = /<\s*[\d.]+/.exec(peer ?? "")?.[0].replace(/\s/g, "");
        assert.ok(upper, `typescript-eslint's typescript range has no upper bound: ${peer}`);
        assert.equal(rule.allowedVersions, upper, `typescript-eslint runs typescript ${peer}`);
    });
});
