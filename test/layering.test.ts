// The program's layers, as README "Layout" states them: config/ → catalogue.ts → alerts/, dashboards/ →
// components/ → stack.ts → index.ts. npm run check:cycles proves there is no cycle; this proves the
// direction: each layer imports only the layers below it (and its own folder), so a shared name lands in
// catalogue.ts instead of one layer reaching sideways or up.

import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";

const root = resolve(__dirname, "..");

/** The layer a program file belongs to: its top folder, or the file itself at the root. */
function layerOf(file: string): string {
    const [top] = file.split("/");
    return file.includes("/") ? `${top}/` : (top ?? file);
}

/** What each layer may import, beside itself. */
const allowed: Readonly<Record<string, readonly string[]>> = {
    "versions.ts": [],
    "quantities.ts": [],
    "config/": ["versions.ts"],
    "catalogue.ts": [],
    "alerts/": ["config/", "catalogue.ts"],
    "dashboards/": ["config/", "catalogue.ts"],
    "components/": ["config/", "catalogue.ts", "alerts/", "dashboards/", "versions.ts", "quantities.ts"],
    "stack.ts": ["config/", "catalogue.ts", "alerts/", "dashboards/", "components/"],
    "index.ts": ["config/", "stack.ts"],
};

function programFiles(directory = root): string[] {
    return readdirSync(directory).flatMap((name) => {
        const path = join(directory, name);
        const file = relative(root, path);
        if (statSync(path).isDirectory())
            return ["node_modules", "test", "tools", "build", "bin", ".git"].includes(name) ? [] : programFiles(path);
        return file.endsWith(".ts") ? [file] : [];
    });
}

/** The program files a file imports (relative specifiers only), resolved to paths from the root. */
function importsOf(file: string): string[] {
    const text = readFileSync(join(root, file), "utf8");
    const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)].map((match) => match[1] as string);
    return specifiers.map((specifier) => {
        const target = relative(root, resolve(root, dirname(file), specifier));
        const isFolder = !target.endsWith(".ts") && programFiles().some((f) => f.startsWith(`${target}/`));
        return isFolder ? `${target}/index.ts` : target.endsWith(".ts") ? target : `${target}.ts`;
    });
}

/** The imports of `file` that go sideways or up. */
function violations(file: string, targets: readonly string[]): string[] {
    const layer = layerOf(file);
    return targets
        .filter((target) => layerOf(target) !== layer && !(allowed[layer] ?? []).includes(layerOf(target)))
        .map((target) => `${file} imports ${target}`);
}

describe("the program's layers", () => {
    const files = programFiles();

    it("knows every program file's layer", () => {
        assert.ok(files.length > 40, `only ${files.length} program files found`);
        for (const file of files) assert.ok(layerOf(file) in allowed, `${file}: no layer`);
    });

    it("imports only downwards (or within its own folder)", () => {
        assert.deepEqual(
            files.flatMap((file) => violations(file, importsOf(file))),
            [],
        );
    });

    it("reads imports as written, and names an import sideways or up", () => {
        assert.ok(importsOf("stack.ts").includes("components/loki.ts"), importsOf("stack.ts").join());
        assert.ok(importsOf("stack.ts").includes("config/parse.ts"));
        assert.deepEqual(violations("dashboards/model.ts", ["components/loki.ts", "catalogue.ts"]), [
            "dashboards/model.ts imports components/loki.ts",
        ]);
        assert.deepEqual(violations("catalogue.ts", ["alerts/rules.ts"]), ["catalogue.ts imports alerts/rules.ts"]);
        assert.deepEqual(violations("alerts/rules.ts", ["alerts/rule-builders.ts", "config/index.ts"]), []);
    });
});
