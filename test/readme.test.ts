// The README stays true: its config reference has a row for every settable key of the schema with
// that key's default, and no row for a key that is gone; Pulumi.yaml declares each key in Pulumi's own
// form. A failure names each key and default (npm run docs:config rewrites the table).

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { configSchemaLeaves, formatDefault, referenceProblems, referenceRows } from "../tools/config-reference";

const root = resolve(__dirname, "..");
const readme = readFileSync(join(root, "README.md"), "utf8");

describe("README config reference", () => {
    it("has a row for every key of the schema, with its default, and none for a key the schema lacks", () => {
        const problems = referenceProblems(readme);
        assert.deepEqual(
            problems,
            [],
            `README.md "Config reference" is out of date (npm run docs:config rewrites it):\n  - ${problems.join("\n  - ")}`,
        );
    });

    it("the check catches a missing row, a wrong default and a stale row", () => {
        const rows = referenceRows(readme);
        const retention = rows.find((row) => row.key === "loki.retention");
        assert.ok(retention);
        const broken = readme
            .replace(/^\| `prometheus\.retention` .*\n/m, "")
            .replace(/^(\| `loki\.retention` +\| )`168h`/m, "$1`7d`  ")
            .replace(/^(\| `loki\.mode` .*\n)/m, "$1| `loki.retentoin` | `1h` | a typo |\n");
        assert.deepEqual(referenceProblems(broken), [
            "no row for `prometheus.retention` (default `7d`)",
            '`loki.retention`: the default column says "`7d`", the schema\'s default is `168h`',
            "row `loki.retentoin` names no key of the schema (renamed or removed?)",
        ]);
        assert.equal(formatDefault(undefined), "unset");
        assert.ok(configSchemaLeaves().some((leaf) => leaf.path === "prometheus.remoteWrite"));
    });
});

describe("README alert list", () => {
    it("names every alert that has a runbook (docs/runbooks/<AlertName>.md)", () => {
        const section = readme.slice(
            readme.indexOf("## Alerting"),
            readme.indexOf("\n## ", readme.indexOf("## Alerting") + 1),
        );
        const alerts = readdirSync(join(root, "docs", "runbooks"))
            .filter((file) => file.endsWith(".md") && file !== "README.md")
            .map((file) => file.replace(/\.md$/, ""));
        assert.ok(alerts.length > 10);
        const missing = alerts.filter((alert) => !section.includes(`\`${alert}\``));
        assert.deepEqual(missing, [], `README "Alerting" does not list: ${missing.join(", ")}`);
    });
});

describe("Pulumi.yaml", () => {
    it("declares every key in Pulumi's own form: a description and the default as value", () => {
        const project = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as {
            config: Record<string, Record<string, unknown>>;
        };
        // Pulumi's config declaration fields; `type` only for what Pulumi can type (not objects).
        const fields = new Set(["type", "items", "description", "secret", "default", "value"]);
        for (const [key, declaration] of Object.entries(project.config)) {
            for (const field of Object.keys(declaration))
                assert.ok(fields.has(field), `Pulumi.yaml ${key}: "${field}" is not a Pulumi config declaration field`);
            assert.equal(typeof declaration.description, "string", `Pulumi.yaml ${key}: no description`);
            assert.ok(
                String(declaration.description).length > 20,
                `Pulumi.yaml ${key}: the description says too little`,
            );
            assert.ok("value" in declaration, `Pulumi.yaml ${key}: the default goes in value`);
            assert.ok(!("type" in declaration), `Pulumi.yaml ${key}: an object key has no Pulumi type`);
        }
    });
});

describe("the repository stands alone", () => {
    it("no file cites the design documents that live outside the repository", () => {
        const skip = new Set(["node_modules", ".git", "build", "bin"]);
        const files: string[] = [];
        const walk = (directory: string) => {
            for (const entry of readdirSync(directory, { withFileTypes: true })) {
                if (skip.has(entry.name)) continue;
                const path = join(directory, entry.name);
                if (entry.isDirectory()) walk(path);
                else files.push(path);
            }
        };
        walk(root);
        // Spelled in pieces, so that this file does not cite them itself.
        const outside = new RegExp(["\\.\\./shared", "seed-monitoring\\.md", "CONTRACT\\.md"].join("|"));
        const citing = files.filter((file) => outside.test(readFileSync(file, "utf8")));
        assert.deepEqual(
            citing.map((file) => file.slice(root.length + 1)),
            [],
        );
        assert.ok(
            files.some((file) => file.endsWith(join("docs", "design.md"))),
            "docs/design.md describes the design",
        );
    });
});
