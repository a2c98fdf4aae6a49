// Config paths, the one way the program names and reads a place in a config (or any plain data):
// dotted as `pulumi config set --path` types them, and as segments.

/**
 * The value at a path in plain data: a dotted path ("a.b.0.c") or its segments (for keys that hold a
 * dot, "alertmanager.yaml"). A numeric segment indexes an array; a missing step gives undefined.
 */
export function valueAt(data: unknown, path: string | readonly PropertyKey[]): unknown {
    const segments = typeof path === "string" ? path.split(".") : path;
    return segments.reduce<unknown>(
        (node, key) =>
            node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined,
        data,
    );
}

/**
 * A config path as it is typed after `pulumi config set --path`: an array index in brackets,
 * `prometheus.remoteWrite[0].name`.
 */
export function configPath(segments: readonly PropertyKey[]): string {
    return segments
        .map((segment, index) =>
            typeof segment === "number" || /^\d+$/.test(String(segment))
                ? `[${String(segment)}]`
                : `${index === 0 ? "" : "."}${String(segment)}`,
        )
        .join("");
}

/** Splits `a.b[0].c` into ["a", "b", 0, "c"]: configPath read back. */
export function splitPath(path: string): (string | number)[] {
    const parts: (string | number)[] = [];
    for (const segment of path.split(".")) {
        const match = /^([^[\]]*)((\[\d+\])*)$/.exec(segment);
        if (match === null || (match[1] === "" && match[2] === "")) throw new Error(`bad config path "${path}"`);
        if (match[1] !== "") parts.push(match[1] as string);
        for (const index of (match[2] ?? "").matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
    }
    return parts;
}
