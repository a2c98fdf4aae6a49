// The checks of one stack: its offline render, then per release (a) the local chart is the pinned
// version, (b) \`helm template\` accepts the values, (c) the core objects match their schemas, (d) and (e)
// requests and limits; then (f) the NetworkPolicies' selectors and (g) the objects \`pulumi up\` awaits.

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { podLabels } from "../../components/network-policies";
import { overrideFlags, placeholderReceiverSecrets, placeholderSecrets, type ConfigOverride } from "../offline-config";
import { renderInProcess } from "../render-process";
import {
    get,
    isObject,
    parseManifests,
    scalarText,
    validateManifests,
    workloadKinds,
    type Json,
    type Manifest,
    type ModelClass,
} from "./manifests";
import { inspectResources, type FootprintLine } from "./resources";

export const stacks = ["dev", "staging", "prod"] as const;
export type StackName = (typeof stacks)[number];

/** Stand-in secrets that satisfy config validation; dev takes only the receivers' (its routes render with them). */
const stackSecrets: Record<StackName, readonly ConfigOverride[]> = {
    dev: placeholderReceiverSecrets,
    staging: placeholderSecrets,
    prod: placeholderSecrets,
};

interface ReleaseFile {
    readonly chart: string;
    readonly version: string;
    readonly repository?: string;
    readonly namespace: string;
    readonly name: string;
    readonly values: Json;
}

export interface ReleaseResult {
    readonly stack: StackName;
    readonly release: string;
    readonly chart: string;
    readonly pinned: string;
    readonly local: string;
    objects: number;
    readonly failures: string[];
    warnings: string[];
    footprint: FootprintLine[];
}

export interface Options {
    readonly charts: string;
    readonly helm: string;
    readonly work: string;
    readonly models: ReadonlyMap<string, ModelClass>;
    /** `<path>=<value>` config settings for every render. */
    readonly config: readonly string[];
}

function chartVersion(chartDir: string): string {
    const file = join(chartDir, "Chart.yaml");
    if (!existsSync(file)) return "(no chart)";
    return scalarText(get(parse(readFileSync(file, "utf8")), "version")) ?? "(no version)";
}

function checkRelease(stack: StackName, file: string, options: Options): ReleaseResult {
    const release = JSON.parse(readFileSync(file, "utf8")) as ReleaseFile;
    const chartDir = join(options.charts, release.chart);
    const result: ReleaseResult = {
        stack,
        release: release.name,
        chart: release.chart,
        pinned: release.version,
        local: chartVersion(chartDir),
        objects: 0,
        failures: [],
        warnings: [],
        footprint: [],
    };
    // (a) the local source is the pinned version
    if (result.local !== release.version) {
        result.failures.push(
            `chart ${release.chart}: pinned ${release.version}, but ${chartDir} holds ${result.local}`,
        );
        if (!existsSync(chartDir)) return result;
    }
    // (b) helm template accepts the values (this includes the chart's values.schema.json, if any)
    const valuesFile = join(options.work, `${stack}-${release.name}.values.json`);
    writeFileSync(valuesFile, JSON.stringify(release.values, null, 2));
    const helm = spawnSync(
        options.helm,
        ["template", release.name, chartDir, "--namespace", release.namespace, "-f", valuesFile],
        {
            encoding: "utf8",
            maxBuffer: 256 * 1024 * 1024,
        },
    );
    if (helm.error !== undefined) throw new Error(`cannot run ${options.helm}: ${helm.error.message}`);
    if (helm.status !== 0) {
        result.failures.push(`helm template failed (rc ${String(helm.status)}): ${helm.stderr.trim()}`);
        return result;
    }
    writeFileSync(join(options.work, `${stack}-${release.name}.yaml`), helm.stdout);
    const manifests = parseManifests(helm.stdout);
    result.objects = manifests.length;
    // (c) core objects match the Kubernetes schemas
    result.failures.push(...validateManifests(manifests, options.models).map((problem) => `invalid ${problem}`));
    // (d) and (e)
    const { warnings, footprint } = inspectResources(release.chart, manifests);
    result.warnings = warnings;
    result.footprint = footprint;
    return result;
}

/** The result of a check that is not a chart's release (it has no chart, pin or footprint of its own). */
function checkResult(stack: StackName, release: string): ReleaseResult {
    return {
        stack,
        release,
        chart: "-",
        pinned: "-",
        local: "-",
        objects: 0,
        failures: [],
        warnings: [],
        footprint: [],
    };
}

/**
 * (f) Every pod selector of the NetworkPolicies (components/network-policies.ts) selects pods that the
 * charts really render: a selector that matches nothing would silently cut a flow. The operator's own
 * pods (Prometheus, Alertmanager) carry app.kubernetes.io/name of their kind.
 */
function checkNetworkPolicies(stack: StackName, options: Options): ReleaseResult {
    const result = checkResult(stack, "(network policies)");
    const pods: Record<string, string>[] = [];
    for (const file of readdirSync(options.work).filter(
        (name) => name.startsWith(`${stack}-`) && name.endsWith(".yaml"),
    )) {
        for (const manifest of parseManifests(readFileSync(join(options.work, file), "utf8"))) {
            const labels = get(manifest, "spec", "template", "metadata", "labels");
            if (workloadKinds.has(manifest.kind) && isObject(labels)) pods.push(labels as Record<string, string>);
            if (manifest.kind === "Prometheus") pods.push({ "app.kubernetes.io/name": "prometheus" });
            if (manifest.kind === "Alertmanager") pods.push({ "app.kubernetes.io/name": "alertmanager" });
        }
    }
    for (const [component, selector] of Object.entries(podLabels)) {
        result.objects++;
        const matches = pods.filter((labels) =>
            Object.entries(selector).every(([key, value]) => labels[key] === value),
        );
        if (matches.length === 0)
            result.failures.push(`selector of ${component} (${JSON.stringify(selector)}) matches no rendered pod`);
    }
    return result;
}

/**
 * (g) Every object that `pulumi up` waits for through a Patch resource (the Prometheus and Alertmanager
 * resources, components/prometheus-stack.ts) is one a chart renders, under that kind, name and
 * namespace: a patch of a name no chart renders would create an empty object by server-side apply, and
 * wait for it forever.
 */
function checkAwaitedObjects(stack: StackName, directory: string, options: Options): ReleaseResult {
    const result = checkResult(stack, "(awaited objects)");
    const rendered: Manifest[] = [];
    for (const file of readdirSync(options.work).filter(
        (name) => name.startsWith(`${stack}-`) && name.endsWith(".yaml"),
    ))
        rendered.push(...parseManifests(readFileSync(join(options.work, file), "utf8")));
    const registered = JSON.parse(readFileSync(join(directory, "resources.json"), "utf8")) as {
        type: string;
        inputs: { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
    }[];
    for (const patch of registered.filter((r) => r.type.startsWith("kubernetes:") && r.type.endsWith("Patch"))) {
        result.objects++;
        const { apiVersion, kind, metadata } = patch.inputs;
        const found = rendered.some(
            (manifest) =>
                manifest.apiVersion === apiVersion &&
                manifest.kind === kind &&
                manifest.metadata?.name === metadata?.name &&
                (manifest.metadata?.namespace ?? metadata?.namespace) === metadata?.namespace,
        );
        if (!found)
            result.failures.push(
                `${String(kind)} ${String(metadata?.namespace)}/${String(metadata?.name)}, which pulumi up waits for, is rendered by no chart`,
            );
    }
    if (result.objects === 0) result.failures.push("no Patch resource: pulumi up waits for no operator workload");
    return result;
}

export function checkStack(stack: StackName, options: Options): ReleaseResult[] {
    const flags = [
        ...overrideFlags(stackSecrets[stack]),
        ...options.config.flatMap((setting) => ["--config", setting]),
    ];
    const directory = renderInProcess(stack, options.work, flags);
    const helmDir = join(directory, "helm");
    const releases = readdirSync(helmDir)
        .filter((name) => name.endsWith(".json"))
        .sort()
        .map((name) => checkRelease(stack, join(helmDir, name), options));
    return [...releases, checkNetworkPolicies(stack, options), checkAwaitedObjects(stack, directory, options)];
}
