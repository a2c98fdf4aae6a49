// Turning zod's issues into the project's messages: each names the key's path, says what is allowed
// and echoes the value that was given (never a secret's), never in zod's own words.

import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { shown } from "./formats";
import { configPath } from "./paths";
import { configSchema, secretPaths } from "./schema";
import { isSecretAt } from "./secrets";

/** What a schema type is called in a message. */
const typeNames: Record<string, string> = {
    string: "text",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    object: "an object of keys",
    array: "a list",
    record: "an object of keys",
};

/**
 * One problem, in the project's words: the key's path, what is allowed and the value that was given
 * (never a secret's), never zod's own text. Custom messages of the schema start with "expected".
 */
export function describeIssue(issue: z.core.$ZodIssue, topKey: string): string[] {
    const path = configPath([topKey, ...issue.path]);
    if (issue.code === "unrecognized_keys") {
        const allowed = allowedKeysAt(issue.path.map(String), topKey);
        return issue.keys.map((key) => {
            const suggestion = allowed.length > 0 ? closest(key, allowed) : undefined;
            const hint = suggestion !== undefined && similar(key, suggestion) ? ` (did you mean "${suggestion}"?)` : "";
            return `${path}.${key}: unknown key${hint}; allowed: ${allowed.join(", ")}`;
        });
    }
    const isSecret = isSecretAt(secretPaths, [topKey, ...issue.path]);
    const input = (issue as { input?: unknown }).input;
    const got =
        input === undefined
            ? "nothing"
            : isSecret
              ? `a ${typeof input} (value not shown: it is a secret)`
              : shown(input);
    // A refinement's own words always stand (they say what is allowed); a built-in check's only when
    // they are the schema's ("expected …"), never zod's.
    const own = issue.code === "custom" || issue.message.startsWith("expected ") ? issue.message : undefined;
    // A custom message that already echoes the value stands as it is.
    if (own !== undefined && (own.includes(", got ") || isSecret)) return [`${path}: ${own}`];
    switch (issue.code) {
        case "invalid_type":
            return [`${path}: expected ${typeNames[issue.expected] ?? issue.expected}, got ${got}`];
        case "invalid_value": {
            const allowed = issue.values.map((v) => shown(v));
            const suggestion =
                typeof input === "string" && !isSecret
                    ? closest(
                          input,
                          issue.values.map((v) => String(v)),
                      )
                    : undefined;
            const hint =
                suggestion !== undefined && typeof input === "string" && similar(input, suggestion)
                    ? ` (did you mean ${shown(suggestion)}?)`
                    : "";
            return [
                `${path}: expected ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join(", ")}`}, got ${got}${hint}`,
            ];
        }
        case "too_small":
        case "too_big": {
            if (own !== undefined) return [`${path}: ${own}, got ${got}`];
            const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
            const exclusive = issue.inclusive === false;
            const limit =
                issue.code === "too_small"
                    ? exclusive
                        ? `more than ${String(bound)}`
                        : `at least ${String(bound)}`
                    : exclusive
                      ? `less than ${String(bound)}`
                      : `at most ${String(bound)}`;
            if (issue.origin === "string")
                return [
                    issue.code === "too_small" && Number(bound) === 1
                        ? `${path}: expected a non-empty text, got ${got}; leave the key out to use its default`
                        : `${path}: expected text of ${limit} characters, got ${got}`,
                ];
            if (issue.origin === "array" || issue.origin === "set")
                return [`${path}: expected a list of ${limit} entries, got ${got}`];
            return [`${path}: expected ${limit}, got ${got}`];
        }
        case "invalid_key":
            // A record's key refused by its own check (e.g. a remote-write header that must be a credential).
            return [`${path}: ${issue.issues.map((inner) => inner.message).join("; ")}`];
        case "not_multiple_of":
            return [`${path}: expected a multiple of ${String(issue.divisor)}, got ${got}`];
        case "invalid_union":
            return [
                `${path}: ${own ?? 'expected one of the forms this key takes (README "Config reference")'}, got ${got}`,
            ];
        default:
            return [`${path}: ${own ?? 'expected another value (README "Config reference")'}, got ${got}`];
    }
}

/** Whether `closest` found a real neighbour rather than merely the least distant key. */
function similar(a: string, b: string): boolean {
    const la = a.toLowerCase();
    const lb = b.toLowerCase();
    return la.includes(lb) || lb.includes(la) || distance(la, lb) <= Math.max(2, Math.floor(b.length / 3));
}

/** The keys the schema allows at `path` below the top-level key `topKey`. */
function allowedKeysAt(path: string[], topKey: string): string[] {
    let node: z.ZodType = configSchema.shape[topKey as keyof typeof configSchema.shape] as z.ZodType;
    for (const key of [...path, ""]) {
        node = unwrap(node);
        if (key === "") break;
        if (node instanceof z.ZodObject) {
            node = node.shape[key] as z.ZodType;
        } else if (node instanceof z.ZodRecord || node instanceof z.ZodArray) {
            node = (node instanceof z.ZodArray ? node.element : node.valueType) as z.ZodType;
        } else {
            return [];
        }
        if (node === undefined) return [];
    }
    return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function unwrap(node: z.ZodType): z.ZodType {
    let current: z.ZodType = node;
    for (;;) {
        if (current instanceof z.ZodDefault || current instanceof z.ZodOptional || current instanceof z.ZodPrefault) {
            current = current.unwrap() as z.ZodType;
        } else if (current instanceof z.ZodPipe) {
            current = current.in as z.ZodType;
        } else {
            return current;
        }
    }
}

/** The problems of the top-level keys that the schema does not know, each with a suggestion. */
export function unknownTopKeyProblems(keys: readonly string[]): string[] {
    const topKeys = Object.keys(configSchema.shape);
    return keys
        .filter((key) => !topKeys.includes(key))
        .map((key) => {
            const suggestion = closest(key, topKeys);
            const hint = similar(key, suggestion) ? ` (did you mean "${suggestion}"?)` : "";
            return `${key}: unknown key${hint}; allowed: ${topKeys.join(", ")}`;
        });
}
