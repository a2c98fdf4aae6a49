// Loading: the one place that reads Pulumi config. It reads the project's namespace from the Pulumi
// runtime and parses it; components receive the typed result.

import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";
import { isHttpUrl, shown } from "./formats";
import { parseStackConfig, type RawEntry, type StackConfig } from "./parse";
import { projectName } from "./project";

/** Reads the project's config namespace from the Pulumi runtime and parses it. */
export function loadConfig(): StackConfig {
    const all = pulumi.runtime.allConfig();
    const ignored = ignoredProviderKeys(Object.keys(all));
    if (ignored.length > 0) throw new ConfigError(ignored);
    const config = parseStackConfig(pulumi.getStack(), projectEntries(all, isConfigSecret));
    return withGrafanaApiUrlOverride(config, process.env[grafanaApiUrlEnv]);
}

/**
 * The project's entries of a whole config (full key → text, as Pulumi hands it over): keys without
 * the `stella-monitoring:` prefix, values parsed, each marked secret or not. The offline render and
 * the tests read stack files through it too, so they parse exactly as `pulumi up` does.
 */
export function projectEntries(
    all: Readonly<Record<string, string>>,
    isSecret: (fullKey: string) => boolean,
): Record<string, RawEntry> {
    const prefix = `${projectName}:`;
    const entries: Record<string, RawEntry> = {};
    for (const [fullKey, text] of Object.entries(all)) {
        if (!fullKey.startsWith(prefix)) continue;
        entries[fullKey.slice(prefix.length)] = { value: parseConfigText(text), secret: isSecret(fullKey) };
    }
    return entries;
}

/**
 * The Kubernetes provider's own stack keys (`kubernetes:context`, Pulumi's usual way to pick a cluster)
 * configure only Pulumi's default provider. This program deploys through an explicit provider built
 * from `stella-monitoring:kubernetes`, so such a key would be accepted and silently ignored, and the
 * stack would deploy to whatever context is current: refuse each, naming the key to use instead.
 */
export function ignoredProviderKeys(fullKeys: readonly string[]): string[] {
    const instead: Record<string, string> = {
        context: `pulumi config rm kubernetes:context && pulumi config set --path kubernetes.context <context>`,
        namespace: `pulumi config rm kubernetes:namespace && pulumi config set --path kubernetes.namespace <namespace>`,
    };
    return fullKeys
        .filter((key) => key.startsWith("kubernetes:"))
        .map((key) => {
            const name = key.slice("kubernetes:".length);
            const fix = instead[name];
            return fix === undefined
                ? `${key}: not used: this program's Kubernetes provider takes only ${projectName}:kubernetes ` +
                      `(context, namespace); pick the kubeconfig with KUBECONFIG. Remove it: pulumi config rm ${key}`
                : `${key}: not used: this program's Kubernetes provider reads ${projectName}:kubernetes.${name}; ${fix}`;
        });
}

/**
 * Where this run of `pulumi up` reaches Grafana's API, when not at grafana.url (a port-forward for one
 * run): an environment variable, so that it never lands in a committed stack file.
 */
export const grafanaApiUrlEnv = "STELLA_GRAFANA_API_URL";

export function withGrafanaApiUrlOverride(config: StackConfig, override: string | undefined): StackConfig {
    if (override === undefined || override === "") return config;
    if (!isHttpUrl(override))
        throw new ConfigError([`${grafanaApiUrlEnv}: expected an http(s) URL, got ${shown(override)}`]);
    return { ...config, grafana: { ...config.grafana, apiUrl: override } };
}

/**
 * Whether Pulumi holds a config key as a secret, which we must know to refuse a secret set in plain
 * text. The SDK has no public accessor for it: `pulumi.runtime.allConfig()` gives the values only, and
 * `Config.getSecret` marks whatever it reads. Its own Config class uses `isConfigSecret`, marked
 * @internal and left out of the typings, yet exported from the public `pulumi.runtime` namespace: taken
 * from there (no deep import of the SDK's file layout), and refused loudly if a release removes it.
 */
function isConfigSecret(fullKey: string): boolean {
    const runtime = pulumi.runtime as typeof pulumi.runtime & { isConfigSecret?: unknown };
    if (typeof runtime.isConfigSecret !== "function")
        throw new Error(
            "@pulumi/pulumi no longer exports runtime.isConfigSecret: this program cannot tell a secret config value from a plain one",
        );
    return (runtime.isConfigSecret as (key: string) => boolean)(fullKey);
}

/** Config values arrive as strings; structured ones as JSON. */
function parseConfigText(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}
