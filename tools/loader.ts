// How `pulumi up` starts the program: Pulumi.yaml's runtime options, read the way Pulumi's Node.js
// language host reads them (nodeargs split on spaces), for the bench and the tests.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export interface RuntimeOptions {
    readonly typescript?: boolean;
    readonly nodeargs?: string;
    readonly packagemanager?: string;
}

export function pulumiRuntimeOptions(root: string): RuntimeOptions {
    const project = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as {
        runtime: string | { name: string; options?: RuntimeOptions };
    };
    return typeof project.runtime === "string" ? {} : (project.runtime.options ?? {});
}

/** The extra node arguments of Pulumi.yaml's runtime.options.nodeargs. */
export function pulumiNodeArgs(root: string): string[] {
    return (pulumiRuntimeOptions(root).nodeargs ?? "").split(" ").filter((arg) => arg !== "");
}
