// Reads a value at a dotted path ("a.b.0.c") from plain data: values, configs, rendered objects.

export function get(object: unknown, path: string): unknown {
    return path
        .split(".")
        .reduce<unknown>(
            (node, key) =>
                node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined,
            object,
        );
}
