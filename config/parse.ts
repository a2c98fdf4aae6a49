// Parsing: the raw entries of the project's config namespace become one typed StackConfig, validated
// before any resource is registered. Every error names the config key and what is allowed.

import { ConfigError } from "./errors";
import { describeIssue, unknownTopKeyProblems } from "./messages";
import { environments, type Environment } from "./project";
import { environmentProblems } from "./rules";
import { configSchema, secretPaths, type ParsedConfig } from "./schema";
import { plainTextSecretProblems } from "./secrets";

/** A raw config entry: the parsed JSON value of `stella-monitoring:<key>`, and whether Pulumi holds it as a secret. */
export interface RawEntry {
    readonly value: unknown;
    readonly secret: boolean;
}

/** A value the rules have refused to be missing (environmentProblems): its type says so from here on. */
function refusedMissing<T>(value: T | undefined): T {
    if (value === undefined) throw new Error("a value the configuration rules require is missing");
    return value;
}

/**
 * The StackConfig of a parsed config: the stack's name and environment, the values that fall back on
 * others, and the secrets the rules require typed as present.
 */
function resolved(config: ParsedConfig, stack: string, environment: Environment) {
    const { cluster, ruleNamespaces, remoteWrite, ...prometheus } = config.prometheus;
    const { objectStorage } = config.loki;
    const { database, sso } = config.grafana;
    return {
        ...config,
        stack,
        environment,
        prometheus: {
            ...prometheus,
            /** The external label `cluster`: prometheus.cluster, else kubernetes.context, else the stack's name. */
            cluster: cluster ?? config.kubernetes.context ?? stack,
            /** The namespaces whose PrometheusRules Prometheus loads. */
            ruleNamespaces: ruleNamespaces ?? [...new Set([config.kubernetes.namespace, config.stella.namespace])],
            remoteWrite: remoteWrite.map(({ basicAuth, ...target }) => ({
                ...target,
                ...(basicAuth === undefined
                    ? {}
                    : { basicAuth: { username: basicAuth.username, password: refusedMissing(basicAuth.password) } }),
            })),
        },
        loki: {
            ...config.loki,
            objectStorage:
                objectStorage === undefined
                    ? undefined
                    : { ...objectStorage, secretAccessKey: refusedMissing(objectStorage.secretAccessKey) },
        },
        grafana: {
            ...config.grafana,
            database: database === undefined ? undefined : { ...database, password: refusedMissing(database.password) },
            sso: sso === undefined ? undefined : { ...sso, clientSecret: refusedMissing(sso.clientSecret) },
        },
    };
}

/** The typed config the program uses: the schema's output, resolved; secrets are Outputs, never plain strings. */
export type StackConfig = ReturnType<typeof resolved>;
export type RemoteWriteTarget = StackConfig["prometheus"]["remoteWrite"][number];
export type SsoConfig = NonNullable<StackConfig["grafana"]["sso"]>;

/**
 * Turns the raw entries of the project's config namespace into a StackConfig, or throws a
 * ConfigError that lists every problem, each naming its key. Pure: registers nothing.
 */
export function parseStackConfig(stack: string, entries: Record<string, RawEntry>): StackConfig {
    const problems = unknownTopKeyProblems(Object.keys(entries));
    const topKeys = Object.keys(configSchema.shape);
    const input = Object.fromEntries(
        Object.entries(entries)
            .filter(([key]) => topKeys.includes(key))
            .map(([key, entry]) => [key, entry.value]),
    );
    const result = configSchema.safeParse(input, { reportInput: true });
    if (!result.success) {
        for (const issue of result.error.issues) {
            const [first, ...rest] = issue.path;
            problems.push(...describeIssue({ ...issue, path: rest }, String(first ?? "")));
        }
        throw new ConfigError(problems);
    }
    const config = result.data;
    problems.push(...plainTextSecretProblems(config, secretPaths, (topKey) => entries[topKey]?.secret === true));

    const environment = config.environment ?? environments.find((name) => name === stack);
    if (environment === undefined) {
        problems.push(
            `environment: stack "${stack}" is not one of ${environments.join(", ")}; name the stack after one, or set the key environment to one of them`,
        );
        throw new ConfigError(problems);
    }
    problems.push(...environmentProblems(config, environment));
    if (problems.length > 0) throw new ConfigError(problems);
    return resolved(config, stack, environment);
}

/** The defaults: what a stack gets for a key it does not set. Pulumi.yaml documents these. */
export function defaultConfigValues(): ParsedConfig {
    return configSchema.parse({});
}
