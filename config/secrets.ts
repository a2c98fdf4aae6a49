// Secrets: the schema marks each secret value (secretString), and everything else about secrets is
// found by walking the schema: which paths hold one, whether a message may echo a value, and which
// values were set in plain text.

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { configPath, valueAt } from "./paths";
import { offlineSecretPlaceholder } from "./project";

/** The schemas that hold a secret: secretString registers each, the walk finds them. */
const secretSchemas = z.registry<{ readonly secret: true }>();

/**
 * A secret string: parsed into a secret Output, so the program never holds it in plain text. Its value
 * never appears in an error message. `check` is the format, skipped for the offline render's placeholder.
 */
export function secretString(check: (value: string) => boolean, what: string) {
    return z
        .string()
        .refine((value) => value === offlineSecretPlaceholder || check(value), {
            error: () => `expected ${what} (value not shown: it is a secret)`,
        })
        .transform((value): pulumi.Output<string> => pulumi.secret(value))
        .register(secretSchemas, { secret: true });
}

/** The segment of a secret path that stands for every item of a list. */
export const everyItem = "[]";

/** Where a secret sits in the schema: keys, and everyItem for each list on the way. */
export type SecretPath = readonly string[];

/**
 * The paths of the schema's secrets, in schema order. A list (prometheus.remoteWrite) holds its items'
 * secrets under everyItem; records and unions hold none, so the walk does not enter them.
 */
export function schemaSecretPaths(schema: z.ZodType): SecretPath[] {
    const found: SecretPath[] = [];
    const walk = (node: z.ZodType, path: readonly string[]): void => {
        if (secretSchemas.has(node)) {
            found.push(path);
        } else if (node instanceof z.ZodDefault || node instanceof z.ZodOptional || node instanceof z.ZodPrefault) {
            walk(node.unwrap() as z.ZodType, path);
        } else if (node instanceof z.ZodPipe) {
            // z.preprocess: the value's schema is the pipe's out.
            walk(node.out as z.ZodType, path);
        } else if (node instanceof z.ZodObject) {
            const shape: Record<string, z.ZodType> = node.shape;
            for (const [key, child] of Object.entries(shape)) walk(child, [...path, key]);
        } else if (node instanceof z.ZodArray) {
            walk(node.element as z.ZodType, [...path, everyItem]);
        }
    };
    walk(schema, []);
    return found;
}

/** A secret path as the README and the tests write it: prometheus.remoteWrite[].bearerToken. */
export function secretPathText(path: SecretPath): string {
    return path.map((key, index) => (key === everyItem ? key : index === 0 ? key : `.${key}`)).join("");
}

/** Whether a config path (list indices as numbers or digits) is a secret or inside one. */
export function isSecretAt(secretPaths: readonly SecretPath[], path: readonly PropertyKey[]): boolean {
    return secretPaths.some(
        (secret) =>
            secret.length <= path.length &&
            secret.every((key, index) =>
                key === everyItem ? /^\d+$/.test(String(path[index])) : key === String(path[index]),
            ),
    );
}

/** The concrete paths of a secret path in parsed config: one per item of each list on the way. */
function concretePaths(config: unknown, path: SecretPath): (string | number)[][] {
    const at = path.indexOf(everyItem);
    if (at < 0) return [[...path]];
    const list = valueAt(config, path.slice(0, at));
    if (!Array.isArray(list)) return [];
    return list.flatMap((_, index) =>
        concretePaths(config, [...path.slice(0, at), String(index), ...path.slice(at + 1)]).map((concrete) =>
            concrete.map((key, position) => (position === at ? index : key)),
        ),
    );
}

/**
 * The secrets set in plain text: a secret so set sits unencrypted in the stack file and in every log of
 * it. Pulumi marks a whole top-level key secret, so `isSecretKey` is asked about the path's first key.
 * The secrets outside lists come first, then each list item's, in item order.
 */
export function plainTextSecretProblems(
    config: unknown,
    secretPaths: readonly SecretPath[],
    isSecretKey: (topKey: string) => boolean,
): string[] {
    const set = secretPaths
        .flatMap((path) => concretePaths(config, path))
        .filter((path) => valueAt(config, path) !== undefined && !isSecretKey(String(path[0])));
    const indices = (path: readonly (string | number)[]) => path.filter((key) => typeof key === "number");
    const order = (a: readonly (string | number)[], b: readonly (string | number)[]) => {
        const [ia, ib] = [indices(a), indices(b)];
        if (ia.length !== ib.length) return ia.length - ib.length;
        const differs = ia.findIndex((index, position) => index !== ib[position]);
        return differs < 0 ? 0 : (ia[differs] as number) - (ib[differs] as number);
    };
    return [...set].sort(order).map((segments) => {
        const path = configPath(segments);
        // Brackets are a shell pattern: the command quotes such a path.
        const typed = path.includes("[") ? `'${path}'` : path;
        return `${path}: must be set as a secret: pulumi config set --secret --path ${typed} <value>`;
    });
}
