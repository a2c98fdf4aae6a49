// The first minutes of a newcomer: `npm ci` on a Node older than 24 stops at once, naming Node 24 (not
// 35 warnings and a test runner that cannot expand its glob); every install script npm reports has a
// decision; the program's own imports are exactly its production dependencies.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, describe, it } from "node:test";

const root = resolve(__dirname, "..");
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    engines: Record<string, string>;
    devEngines: { runtime: { name: string; version: string; onFail: string } };
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    allowScripts?: Record<string, boolean>;
};

const temporary: string[] = [];
after(() => {
    for (const directory of temporary) rmSync(directory, { recursive: true, force: true });
});

/** A copy of the project's install inputs (package.json, lock, .npmrc), optionally edited. */
function projectCopy(edit?: (manifest: Record<string, unknown>) => void): string {
    const directory = mkdtempSync(join(tmpdir(), "npm-setup-"));
    temporary.push(directory);
    for (const file of ["package.json", "package-lock.json", ".npmrc"])
        copyFileSync(join(root, file), join(directory, file));
    if (edit !== undefined) {
        const manifest = JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as Record<string, unknown>;
        edit(manifest);
        writeFileSync(join(directory, "package.json"), JSON.stringify(manifest, null, 2));
    }
    return directory;
}

/**
 * Runs the machine's own npm, as a Node 20 would run it: a preload makes process.version read v20.20.2,
 * which is what npm's engine checks look at. Bounded: the check must fail before any download.
 */
function npmCiAsNode20(directory: string) {
    const preload = join(directory, "as-node20.mjs");
    writeFileSync(
        preload,
        'Object.defineProperty(process, "version", { value: "v20.20.2" });\n' +
            'Object.defineProperty(process.versions, "node", { value: "20.20.2" });\n',
    );
    return spawnSync("npm", ["ci", "--no-audit", "--no-fund"], {
        cwd: directory,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, NODE_OPTIONS: `--import=${preload}`, npm_config_cache: join(directory, "cache") },
    });
}

describe("Node 24, in one voice", () => {
    it("package.json engines and devEngines, .npmrc, .nvmrc and the README all require Node 24", () => {
        assert.equal(packageJson.engines.node, ">=24");
        assert.deepEqual(packageJson.devEngines.runtime, { name: "node", version: ">=24", onFail: "error" });
        assert.match(readFileSync(join(root, ".npmrc"), "utf8"), /^engine-strict=true$/m);
        assert.equal(readFileSync(join(root, ".nvmrc"), "utf8").trim(), "24");
        const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
            packages: Record<string, { engines?: Record<string, string> }>;
        };
        assert.equal(lock.packages[""]?.engines?.node, ">=24", "package-lock.json is stale: run npm install");
        const readme = readFileSync(join(root, "README.md"), "utf8");
        assert.match(readme, /Node 24/);
        assert.doesNotMatch(readme, /at least 22|Node 22/, "the README must not offer an older Node");
    });

    it("npm ci on Node 20 stops at once with an error naming Node 24 (devEngines, npm 10.9 and later)", () => {
        const directory = projectCopy();
        const result = npmCiAsNode20(directory);
        assert.notEqual(result.status, 0, `npm ci went on under Node 20:\n${result.stdout}${result.stderr}`);
        assert.match(result.stderr, /EBADDEVENGINES|EBADENGINE/);
        assert.match(result.stderr, />=24/);
        assert.equal(existsSync(join(directory, "node_modules")), false, "npm installed packages before stopping");
    });

    it("npm ci on Node 20 stops too where npm predates devEngines (engines + engine-strict)", () => {
        const directory = projectCopy((manifest) => delete manifest.devEngines);
        const result = npmCiAsNode20(directory);
        assert.notEqual(result.status, 0, `npm ci went on under Node 20:\n${result.stdout}${result.stderr}`);
        assert.match(result.stderr, /EBADENGINE/);
        assert.match(result.stderr, /Required: \{"node":">=24"\}/);
        assert.equal(existsSync(join(directory, "node_modules")), false);
    });

    it("with a real older Node first on PATH (where the machine has one), npm ci stops naming Node 24", (t) => {
        const candidates = ["/usr/bin/node", "/usr/local/bin/node"].filter((path) => {
            if (!existsSync(path) || path === process.execPath) return false;
            const major = spawnSync(path, ["-p", "process.versions.node.split('.')[0]"], { encoding: "utf8" });
            return Number(major.stdout.trim()) < 24;
        });
        const oldNode = candidates[0];
        if (oldNode === undefined) {
            t.skip("no Node older than 24 on this machine");
            return;
        }
        const directory = projectCopy();
        // npm's `#!/usr/bin/env node` then runs on the older Node, as on a newcomer's machine.
        const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], {
            cwd: directory,
            encoding: "utf8",
            timeout: 60_000,
            env: {
                ...process.env,
                PATH: `${dirname(oldNode)}:${process.env.PATH ?? ""}`,
                npm_config_cache: join(directory, "cache"),
            },
        });
        assert.notEqual(result.status, 0, result.stdout);
        assert.match(result.stderr, />=24/);
        assert.equal(existsSync(join(directory, "node_modules")), false);
    });
});

describe("npm conventions", () => {
    it("every install script npm reports is approved or denied in allowScripts", () => {
        const result = spawnSync("npm", ["install-scripts", "ls", "--json"], {
            cwd: root,
            encoding: "utf8",
            timeout: 60_000,
        });
        assert.equal(result.status, 0, result.stderr);
        const report = JSON.parse(result.stdout) as { allowScripts: { name: string }[] };
        assert.deepEqual(
            report.allowScripts.map((entry) => entry.name),
            [],
            "install scripts without a decision: approve or deny each (npm install-scripts approve|deny <pkg>)",
        );
        // Denied, each for a reason (README "npm install scripts"): the Pulumi CLI installs the Kubernetes
        // plugin itself; esbuild's binary arrives as its optional platform package; protobufjs only warns.
        assert.deepEqual(packageJson.allowScripts, {
            "@pulumi/kubernetes": false,
            esbuild: false,
            protobufjs: false,
        });
    });

    it("the program imports exactly its production dependencies (test-only parsers are devDependencies)", () => {
        // Follows the imports from index.ts, as `pulumi up` loads the program.
        const seen = new Set<string>();
        const packages = new Set<string>();
        const visit = (file: string) => {
            if (seen.has(file)) return;
            seen.add(file);
            const source = readFileSync(file, "utf8");
            for (const [, specifier = ""] of source.matchAll(/^import[^"']*["']([^"']+)["']/gm)) {
                if (specifier.startsWith(".")) {
                    const base = resolve(dirname(file), specifier);
                    const target = [`${base}.ts`, join(base, "index.ts")].find((path) => existsSync(path));
                    assert.ok(target, `${file}: cannot resolve ${specifier}`);
                    visit(target);
                } else if (!specifier.startsWith("node:")) {
                    const parts = specifier.split("/");
                    packages.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? ""));
                }
            }
        };
        visit(join(root, "index.ts"));
        // tsx is the loader `pulumi up` starts the program with (Pulumi.yaml runtime.options.nodeargs).
        assert.deepEqual(Object.keys(packageJson.dependencies).sort(), [...packages, "tsx"].sort());
    });
});
