// Tests leave nothing behind: suites that make temporary folders run here with a TMPDIR of their own,
// which must be empty once they end.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";

const root = resolve(__dirname, "..");
const own = mkdtempSync(join(tmpdir(), "temporary-test-"));
after(() => rmSync(own, { recursive: true, force: true }));

describe("temporary folders", () => {
    it("a test file's folders are gone when it ends (promote, offline-config, render-cli, ci-scripts)", () => {
        const files = ["promote", "offline-config", "render-cli", "ci-scripts"].map((name) => `test/${name}.test.ts`);
        const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...files], {
            cwd: root,
            encoding: "utf8",
            timeout: 240_000,
            env: { ...process.env, TMPDIR: own },
        });
        assert.equal(result.status, 0, result.stdout.slice(-3000));
        assert.deepEqual(readdirSync(own), [], "left in TMPDIR");
    });
});
