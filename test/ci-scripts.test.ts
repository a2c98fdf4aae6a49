// The workflows' scripts, run for real: the pull-request summary's bounded content diff of two
// renders, and the drift check, which calls drift only what the preview counted as changes (against a
// stand-in `pulumi` on PATH that answers as the CLI does).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { temporaryDirectory } from "./support/temporary";

const root = resolve(__dirname, "..");
const scripts = join(root, ".github", "scripts");
const scratch = (): string => temporaryDirectory("ci-scripts-");

function tree(base: string, files: Record<string, string>): string {
    for (const [path, content] of Object.entries(files)) {
        mkdirSync(join(base, path, ".."), { recursive: true });
        writeFileSync(join(base, path), content);
    }
    return base;
}

describe(".github/scripts/render-diff.sh", () => {
    it("lists the changed files and shows their content diff", () => {
        const work = scratch();
        const base = tree(join(work, "base"), {
            "dev/alertmanager.yaml": "route:\n  receiver: slack\n",
            "dev/.stella-render": '{"files":["alertmanager.yaml"]}\n',
        });
        const head = tree(join(work, "head"), {
            "dev/alertmanager.yaml": "route:\n  receiver: pagerduty\n",
            "dev/.stella-render": '{"files":["alertmanager.yaml","x"]}\n',
        });
        const result = spawnSync("bash", [join(scripts, "render-diff.sh"), base, head], { encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /^- Files dev\/alertmanager\.yaml and dev\/alertmanager\.yaml differ$/m);
        assert.match(result.stdout, /^- {2}receiver: slack$/m);
        assert.match(result.stdout, /^\+ {2}receiver: pagerduty$/m);
        assert.doesNotMatch(result.stdout, /stella-render/, "render's marker is not content");
        assert.doesNotMatch(result.stdout, /is cut at/);
    });

    it("cuts a long diff at its byte budget and says where the rest is", () => {
        const work = scratch();
        const lines = (prefix: string) => Array.from({ length: 2000 }, (_, i) => `${prefix} line ${i}`).join("\n");
        const base = tree(join(work, "base"), { "prod/helm/loki.json": lines("old") });
        const head = tree(join(work, "head"), { "prod/helm/loki.json": lines("new") });
        const result = spawnSync("bash", [join(scripts, "render-diff.sh"), base, head, "2000"], { encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
        const block = /```diff\n([\s\S]*?)\n```/.exec(result.stdout)?.[1] ?? "";
        assert.ok(block.length <= 2001, `the diff block holds ${block.length} bytes`);
        assert.match(
            result.stdout,
            /The diff is cut at 2000 of \d+ bytes: the artifact rendered-stacks holds every file\./,
        );
    });

    it("says so when nothing renders differently", () => {
        const work = scratch();
        const base = tree(join(work, "base"), { "dev/a.json": "{}\n" });
        const head = tree(join(work, "head"), { "dev/a.json": "{}\n" });
        const result = spawnSync("bash", [join(scripts, "render-diff.sh"), base, head], { encoding: "utf8" });
        assert.equal(result.status, 0);
        assert.match(result.stdout, /None: every stack renders exactly as on the base branch\./);
    });
});

describe(".github/scripts/drift-preview.sh", () => {
    /** Runs the script with a stand-in pulumi that prints `json` for --json and exits with `code`. */
    function drift(json: string, code = 0) {
        const work = scratch();
        const bin = join(work, "bin");
        mkdirSync(bin);
        writeFileSync(join(work, "preview.json"), json);
        writeFileSync(
            join(bin, "pulumi"),
            `#!/usr/bin/env bash
case " $* " in
  *" --json "*) cat "${join(work, "preview.json")}"; echo "preview error" >&2; exit ${code} ;;
  *) echo "~ kubernetes:helm.sh/v3:Release loki update [diff: ~values]"; exit 0 ;;
esac
`,
        );
        chmodSync(join(bin, "pulumi"), 0o755);
        const output = join(work, "output");
        const summary = join(work, "summary");
        writeFileSync(output, "");
        writeFileSync(summary, "");
        const result = spawnSync("bash", [join(scripts, "drift-preview.sh"), "org/staging"], {
            encoding: "utf8",
            env: {
                ...process.env,
                PATH: `${bin}:${process.env.PATH ?? ""}`,
                GITHUB_OUTPUT: output,
                GITHUB_STEP_SUMMARY: summary,
            },
        });
        return { ...result, output: readFileSync(output, "utf8"), summary: readFileSync(summary, "utf8") };
    }

    it("reports drift when the refreshed preview counts changes, with the diff in the summary", () => {
        const result = drift(JSON.stringify({ steps: [], changeSummary: { same: 40, update: 2, delete: 1 } }));
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.output, "drift=true\n");
        assert.match(result.summary, /### Drift on org\/staging: 3 change\(s\)/);
        assert.match(result.summary, /Release loki update/);
    });

    it("reports no drift when every resource is the same", () => {
        const result = drift(JSON.stringify({ steps: [], changeSummary: { same: 43 } }));
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.output, "drift=false\n");
    });

    it("fails without calling it drift when the preview itself fails", () => {
        const result = drift("", 255);
        assert.equal(result.status, 1);
        assert.equal(result.output, "", "no drift output, so no issue");
        assert.match(result.stderr, /pulumi preview failed on org\/staging: not drift, a broken check/);
    });
});
