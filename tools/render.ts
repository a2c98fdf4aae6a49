// The offline render (the contract others rely on is in README "Offline render"): runs this Pulumi program, unchanged, under Pulumi's
// mocks with a stack's config, and writes what it registered: resources, Helm releases, the rule
// file, alertmanager.yaml, dashboards and data sources. Secrets are written as "[secret]".
//
//   npm run render -- --stack <dev|staging|prod> [--out <dir>] [--config <path>=<value>]... [--secret <path>=<value>]...
//   (npm run render -- --help says it all)

import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse, stringify } from "yaml";
import { valueAt } from "../config/paths";
import { projectName } from "../config/project";
import { runCli, type Command, type Values as FlagValues } from "./cli";
import { readOfflineConfig, type ConfigOverride } from "./offline-config";
import { writeRender } from "./render-output";
import { RecordingMocks, redacted, type RegisteredResource } from "./recording-mocks";

const projectRoot = resolve(__dirname, "..");

export interface RenderOptions {
    readonly stack: string;
    readonly overrides?: readonly ConfigOverride[];
}

/** Everything the program registered, and the files derived from it (path relative to <out>/<stack>/). */
export interface RenderResult {
    readonly resources: RegisteredResource[];
    readonly outputs: Record<string, unknown>;
    readonly files: Map<string, string>;
}

const types = {
    release: "kubernetes:helm.sh/v3:Release",
    secret: "kubernetes:core/v1:Secret",
    prometheusRule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    dashboard: "grafana:oss/dashboard:Dashboard",
    dataSource: "grafana:oss/dataSource:DataSource",
} as const;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The rule file: every group from kube-prometheus-stack's rule map and from PrometheusRule resources. */
function ruleFile(resources: RegisteredResource[]): string {
    const groups: unknown[] = [];
    for (const resource of resources) {
        if (resource.type === types.release && resource.inputs.chart === "kube-prometheus-stack") {
            const ruleMap = (valueAt(resource.inputs, ["values", "additionalPrometheusRulesMap"]) ?? {}) as Record<
                string,
                { groups?: unknown[] }
            >;
            for (const entry of Object.values(ruleMap)) groups.push(...(entry.groups ?? []));
        }
        if (resource.type === types.prometheusRule)
            groups.push(...((valueAt(resource.inputs, ["spec", "groups"]) as unknown[] | undefined) ?? []));
    }
    return stringify({ groups }, { lineWidth: 0 });
}

/** alertmanager.yaml: the Secret that kube-prometheus-stack's Alertmanager is told to load. */
function alertmanagerFile(resources: RegisteredResource[]): string {
    const release = resources.find(
        (resource) => resource.type === types.release && resource.inputs.chart === "kube-prometheus-stack",
    );
    const spec = valueAt(release?.inputs, ["values", "alertmanager", "alertmanagerSpec"]);
    if (valueAt(spec, ["useExistingSecret"]) !== true) {
        throw new Error(
            "alertmanager.yaml: Alertmanager is not configured from this program's own Secret (alertmanagerSpec.configSecret)",
        );
    }
    const secretName = valueAt(spec, ["configSecret"]);
    const secret = resources.find(
        (resource) => resource.type === types.secret && valueAt(resource.inputs, ["metadata", "name"]) === secretName,
    );
    // The Kubernetes provider marks all of a Secret's data secret; this key holds no credential
    // (they are *_file paths), and the canary scan of every rendered file proves it.
    const text = valueAt(secret?.plainInputs, ["stringData", "alertmanager.yaml"]);
    if (typeof text !== "string")
        throw new Error(
            `alertmanager.yaml: no Secret ${String(secretName)} with an alertmanager.yaml key was registered`,
        );
    // Round-trip through the parser: the file must be YAML that Alertmanager can load.
    return stringify(parse(text), { lineWidth: 0 });
}

/**
 * A resource's inputs as registered (secrets already "[secret]", unknowns "[unknown]"). A Helm
 * release's values are in helm/<release>.json, the one place a reviewer reads them; repeating them
 * here would double the file for nothing.
 */
function resourceInputs(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (type !== types.release) return inputs;
    return Object.fromEntries(Object.entries(inputs).filter(([key]) => key !== "values"));
}

/** Derives the files of README "Offline render" from the registered resources. */
export function renderFiles(resources: RegisteredResource[], outputs: Record<string, unknown>): Map<string, string> {
    const files = new Map<string, string>();
    files.set(
        "resources.json",
        json(
            resources.map(({ urn, type, name, parent, dependsOn, provider, inputs }) => ({
                urn,
                type,
                name,
                parent,
                dependsOn,
                provider,
                inputs: resourceInputs(type, inputs),
            })),
        ),
    );
    for (const release of resources.filter((resource) => resource.type === types.release)) {
        const inputs = release.inputs;
        files.set(
            `helm/${String(inputs.name)}.json`,
            json({
                chart: inputs.chart,
                version: inputs.version,
                repository: valueAt(inputs, ["repositoryOpts", "repo"]),
                namespace: inputs.namespace,
                name: inputs.name,
                values: inputs.values,
            }),
        );
    }
    files.set("prometheus-rules.yaml", ruleFile(resources));
    files.set("alertmanager.yaml", alertmanagerFile(resources));
    for (const dashboard of resources.filter((resource) => resource.type === types.dashboard)) {
        const model = JSON.parse(String(dashboard.inputs.configJson)) as { uid: string };
        files.set(`dashboards/${model.uid}.json`, json(model));
    }
    files.set(
        "datasources.json",
        json(
            resources
                .filter((resource) => resource.type === types.dataSource)
                .map(({ inputs }) => ({
                    uid: inputs.uid,
                    name: inputs.name,
                    type: inputs.type,
                    url: inputs.url,
                    jsonData:
                        typeof inputs.jsonDataEncoded === "string"
                            ? (JSON.parse(inputs.jsonDataEncoded) as unknown)
                            : {},
                })),
        ),
    );
    files.set("outputs.json", json(outputs));
    return files;
}

/** Resolves an exported Output (or plain value), writing a secret as "[secret]". */
async function resolveOutput(value: unknown): Promise<unknown> {
    if (!pulumi.Output.isInstance(value)) return value;
    const output = value;
    const [plain, isSecret] = await new Promise<[unknown, boolean]>((done) => {
        void pulumi.all([output, pulumi.output(true)]).apply(([resolved]) => {
            void pulumi.isSecret(output).then((secret) => done([resolved, secret]));
        });
    });
    return isSecret ? redacted : plain;
}

/**
 * Runs the program under mocks for one stack. Call it once per process: the program is a module,
 * loaded once, as the Pulumi CLI loads it.
 */
export async function renderStack(options: RenderOptions): Promise<RenderResult> {
    const { config, secretKeys } = readOfflineConfig(projectRoot, options.stack, options.overrides ?? []);
    const mocks = new RecordingMocks();
    await pulumi.runtime.setMocks(mocks, projectName, options.stack, false);
    mocks.attach();
    pulumi.runtime.setAllConfig(config, secretKeys);

    let program: Record<string, unknown>;
    try {
        // Loaded as the Pulumi CLI loads it: required, once, after the mocks and the config are in place.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        program = require("../index") as Record<string, unknown>;
    } catch (error) {
        // Config is validated before anything is registered; say so, with the count to prove it.
        await mocks.settled();
        throw Object.assign(error as Error, { registered: mocks.resources.length });
    }
    const outputs: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(program)) {
        if (name === "default" || name === "__esModule") continue;
        outputs[name] = await resolveOutput(value);
    }
    await mocks.settled();
    return { resources: mocks.resources, outputs, files: renderFiles(mocks.resources, outputs) };
}

function parseOverride(text: string, secret: boolean): ConfigOverride {
    const at = text.indexOf("=");
    if (at <= 0)
        throw new Error(
            `expected <path>=<value>, got "${secret ? text.slice(0, Math.max(at, 0)) || "(hidden)" : text}"`,
        );
    return { path: text.slice(0, at), value: text.slice(at + 1), secret };
}

export const renderCommand = {
    invocation: "npm run render --",
    summary:
        "Runs the Pulumi program offline, under Pulumi's mocks, with the config of Pulumi.<stack>.yaml (and the\n" +
        "defaults of Pulumi.yaml) overlaid by --config/--secret, and writes what it registered under <out>/<stack>/.\n" +
        "It rewrites only a folder it wrote before (marked by .stella-render) and refuses any other non-empty one.",
    flags: {
        stack: {
            type: "text",
            value: "<stack>",
            required: true,
            description: "the stack to render: dev, staging or prod",
        },
        out: { type: "text", value: "<dir>", default: "build/render", description: "where <stack>/ is written" },
        config: {
            type: "list",
            value: "<path>=<value>",
            description: "set a config value, path as for `pulumi config set --path`",
        },
        secret: { type: "list", value: "<path>=<value>", description: "the same, as a secret (written as [secret])" },
    },
    examples: [
        "npm run render -- --stack dev",
        "npm run render -- --stack dev --out /tmp/render --config prometheus.retention=15d",
        "npm run render -- --stack prod --secret alerting.slackWebhookUrl=https://hooks.slack.com/services/T/B/X \\\n" +
            "    --secret alerting.pagerdutyRoutingKey=abcdefghijklmnopqrstuvwxyz012345 \\\n" +
            "    --secret loki.objectStorage.secretAccessKey=x --secret jaeger.storage.password=x",
    ],
} as const satisfies Command;

async function main(values: FlagValues<typeof renderCommand>): Promise<number> {
    try {
        const overrides = [
            ...values.config.map((text) => parseOverride(text, false)),
            ...values.secret.map((text) => parseOverride(text, true)),
        ];
        const result = await renderStack({ stack: values.stack, overrides });
        const directory = resolve(values.out, values.stack);
        writeRender(directory, result.files);
        console.log(
            `rendered stack ${values.stack}: ${result.resources.length} resources, ${result.files.size} files in ${directory}`,
        );
        return 0;
    } catch (caught) {
        const error = caught as Error & { registered?: number };
        const registered = error.registered === undefined ? "" : `\n(${error.registered} resources were registered)`;
        console.error(`render failed: ${error.message}${registered}`);
        return 1;
    }
}

if (require.main === module) runCli("render", renderCommand, main);
