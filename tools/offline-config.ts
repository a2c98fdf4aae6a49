// Builds the config map the Pulumi CLI would hand the program, offline: Pulumi.yaml's project
// defaults, overlaid by Pulumi.<stack>.yaml, overlaid by --config/--secret flags in the dotted path
// form of `pulumi config set --path`. A `secure:` value, which only the CLI can decrypt, becomes a
// secret placeholder.

import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { projectEntries } from "../config/load";
import { parseStackConfig, type StackConfig } from "../config/parse";
import { splitPath } from "../config/paths";
import { offlineSecretPlaceholder, projectName } from "../config/project";

export interface OfflineConfig {
    /** Full key (`namespace:key`) to its value as the CLI passes it: JSON text for objects. */
    readonly config: Record<string, string>;
    /** The full keys Pulumi would hold as secrets. */
    readonly secretKeys: string[];
}

export interface ConfigOverride {
    /** `alerting.slackWebhookUrl`, or with a namespace: `kubernetes:context`. */
    readonly path: string;
    readonly value: string;
    readonly secret: boolean;
}

/**
 * Stand-ins for the secrets staging and prod require (prod also the heartbeat URL), for offline renders that need them only to
 * be valid (tests and benchmarks that scan for leaks use recognisable canaries of their own).
 */
export const placeholderSecrets: readonly ConfigOverride[] = [
    { path: "alerting.slackWebhookUrl", value: "https://hooks.slack.com/services/T000/B000/placeholder", secret: true },
    { path: "alerting.pagerdutyRoutingKey", value: "placeholderplaceholderplaceholder", secret: true },
    { path: "alerting.heartbeatUrl", value: "https://hc-ping.example.com/placeholder", secret: true },
    { path: "loki.objectStorage.secretAccessKey", value: "placeholder", secret: true },
    { path: "jaeger.storage.password", value: "placeholder", secret: true },
];

/** The placeholders of the alerting receivers alone (dev takes no storage secrets). */
export const placeholderReceiverSecrets = placeholderSecrets.filter((secret) => secret.path.startsWith("alerting."));

/** The render command's flags for overrides: --secret path=value, --config path=value. */
export function overrideFlags(overrides: readonly ConfigOverride[]): string[] {
    return overrides.flatMap((override) => [
        override.secret ? "--secret" : "--config",
        `${override.path}=${override.value}`,
    ]);
}

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function fullKey(key: string): string {
    return key.includes(":") ? key : `${projectName}:${key}`;
}

/** Replaces every `{secure: …}` leaf with the placeholder, and says whether there was one. */
function replaceSecure(value: Json): { value: Json; secret: boolean } {
    if (isObject(value)) {
        if (Object.keys(value).length === 1 && typeof value.secure === "string") {
            return { value: offlineSecretPlaceholder, secret: true };
        }
        let secret = false;
        const out: Record<string, Json> = {};
        for (const [key, child] of Object.entries(value)) {
            const replaced = replaceSecure(child);
            out[key] = replaced.value;
            secret ||= replaced.secret;
        }
        return { value: out, secret };
    }
    if (Array.isArray(value)) {
        const items = value.map(replaceSecure);
        return { value: items.map((item) => item.value), secret: items.some((item) => item.secret) };
    }
    return { value, secret: false };
}

/** As `pulumi config set --path`: true/false and numbers become booleans and numbers; secrets stay strings. */
function typedValue(text: string, secret: boolean): Json {
    if (secret) return text;
    if (text === "true" || text === "false") return text === "true";
    if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
    return text;
}

function setAtPath(root: Json, parts: (string | number)[], value: Json): Json {
    if (parts.length === 0) return value;
    const [head, ...rest] = parts as [string | number, ...(string | number)[]];
    if (typeof head === "number") {
        const array: Json[] = Array.isArray(root) ? [...(root as Json[])] : [];
        array[head] = setAtPath(array[head], rest, value);
        return array;
    }
    const object = isObject(root) ? { ...root } : {};
    object[head] = setAtPath(object[head], rest, value);
    return object;
}

/** Reads Pulumi.yaml and Pulumi.<stack>.yaml under `root` and applies the overrides. */
export function readOfflineConfig(root: string, stack: string, overrides: readonly ConfigOverride[]): OfflineConfig {
    const values = new Map<string, Json>();
    const secretKeys = new Set<string>();

    const project = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as { config?: Record<string, Json> };
    for (const [key, declaration] of Object.entries(project.config ?? {})) {
        // A project key is a plain value, { value }, or a typed declaration with { default }.
        const value = isObject(declaration) ? (declaration.value ?? declaration.default) : declaration;
        if (value !== undefined) values.set(fullKey(key), value);
    }

    const stackFile = join(root, `Pulumi.${stack}.yaml`);
    if (!existsSync(stackFile)) throw new Error(`no stack file Pulumi.${stack}.yaml (stacks: dev, staging, prod)`);
    const stackConfig =
        (parse(readFileSync(stackFile, "utf8")) as { config?: Record<string, Json> } | null)?.config ?? {};
    for (const [key, raw] of Object.entries(stackConfig)) {
        const { value, secret } = replaceSecure(raw);
        values.set(fullKey(key), value);
        if (secret) secretKeys.add(fullKey(key));
    }

    for (const override of overrides) {
        const [first, ...rest] = splitPath(override.path);
        if (typeof first !== "string") throw new Error(`bad config path "${override.path}"`);
        const key = fullKey(first);
        values.set(key, setAtPath(values.get(key), rest, typedValue(override.value, override.secret)));
        if (override.secret) secretKeys.add(key);
    }

    const config: Record<string, string> = {};
    for (const [key, value] of values) config[key] = typeof value === "string" ? value : JSON.stringify(value);
    return { config, secretKeys: [...secretKeys] };
}

/** A stack's config from its stack file and overrides, parsed as `pulumi up` parses it (no Pulumi engine). */
export function offlineStackConfig(root: string, stack: string, overrides: readonly ConfigOverride[]): StackConfig {
    const { config, secretKeys } = readOfflineConfig(root, stack, overrides);
    return parseStackConfig(
        stack,
        projectEntries(config, (key) => secretKeys.includes(key)),
    );
}
