// Renders every stack offline, runs `helm template` on each release's pinned chart, validates the core objects,
// warns on containers without requests/limits and totals the requests. Needs the chart sources fetched
// locally (no network in CI), so it is not part of `npm test`.
//
//   npm run check:charts -- --charts <dir> [--helm <helm>] [--stack dev|staging|prod]... [--config <path>=<value>]...
//       [--keep]   (--help says it all)
//
// --config passes a config value to the render of every stack checked, e.g. --stack prod --config
// loki.mode=distributed.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { podLabels } from "../components/network-policies";
import { memoryBytes } from "../quantities";
import { charts } from "../versions";
import { runCli, type Command, type Values } from "./cli";
import { overrideFlags, placeholderReceiverSecrets, placeholderSecrets, type ConfigOverride } from "./offline-config";

const projectRoot = resolve(__dirname, "..");
const stacks = ["dev", "staging", "prod"] as const;
type StackName = (typeof stacks)[number];

/** Stand-in secrets that satisfy config validation; dev takes only the receivers' (its routes render with them). */
const stackSecrets: Record<StackName, readonly ConfigOverride[]> = {
    dev: placeholderReceiverSecrets,
    staging: placeholderSecrets,
    prod: placeholderSecrets,
};

/** dev must fit on a laptop cluster. */
const devFootprintTarget = { milliCpu: 1000, bytes: 2 * 1024 ** 3 };

// ---------------------------------------------------------------------------------------------------
// Kubernetes objects

type Json = Record<string, unknown>;
interface Manifest {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata?: { readonly name?: string; readonly namespace?: string };
    readonly [key: string]: unknown;
}

/** A scalar as text (YAML may give a number where a string is meant); undefined for anything else. */
const scalarText = (value: unknown): string | undefined =>
    typeof value === "string" || typeof value === "number" ? String(value) : undefined;
const isObject = (value: unknown): value is Json =>
    value !== null && typeof value === "object" && !Array.isArray(value);
const get = (node: unknown, ...path: string[]): unknown =>
    path.reduce<unknown>((at, key) => (isObject(at) ? at[key] : undefined), node);

/** A model class of kubernetes-models: constructed from a plain object, `validate()` throws on violations. */
type ModelClass = new (data: unknown) => { validate(): void };

/** The core kinds validated, by API group version. Any other apiVersion of these kinds is a failure. */
const validatedKinds: Record<string, readonly string[]> = {
    "apps/v1": ["Deployment", "StatefulSet", "DaemonSet"],
    v1: ["Service", "ConfigMap", "Secret", "ServiceAccount", "PersistentVolumeClaim"],
    "networking.k8s.io/v1": ["Ingress"],
    "rbac.authorization.k8s.io/v1": ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"],
    "policy/v1": ["PodDisruptionBudget"],
    "batch/v1": ["Job"],
};

/**
 * Loads the model classes, by `apiVersion/kind`. kubernetes-models is ESM-only (its exports have no
 * `require` condition), so it is loaded with a native dynamic import.
 */
async function loadModels(): Promise<Map<string, ModelClass>> {
    const models = new Map<string, ModelClass>();
    for (const [apiVersion, kinds] of Object.entries(validatedKinds)) {
        const specifier = `kubernetes-models/${apiVersion}`;
        const module = (await import(specifier)) as Record<string, ModelClass | undefined>;
        for (const kind of kinds) {
            const model = module[kind];
            if (model === undefined) throw new Error(`${specifier} has no model ${kind}`);
            models.set(`${apiVersion}/${kind}`, model);
        }
    }
    return models;
}

const coreKinds = new Set(Object.values(validatedKinds).flat());
const workloadKinds = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

/** Parses helm's output; `kind: List` objects (kube-prometheus-stack's additional monitors) are flattened. */
function parseManifests(text: string): Manifest[] {
    const manifests: Manifest[] = [];
    const add = (object: unknown) => {
        if (!isObject(object)) return;
        if (object.kind === "List" && Array.isArray(object.items)) object.items.forEach(add);
        else if (typeof object.kind === "string" && typeof object.apiVersion === "string")
            manifests.push(object as Manifest);
    };
    for (const document of parseAllDocuments(text)) {
        if (document.errors.length > 0)
            throw new Error(`helm output is not YAML: ${document.errors[0]?.message ?? ""}`);
        add(document.toJS());
    }
    return manifests;
}

const describe = (manifest: Manifest) => `${manifest.kind}/${manifest.metadata?.name ?? "?"}`;

/** Schema problems of the core-kind objects. */
function validateManifests(manifests: readonly Manifest[], models: ReadonlyMap<string, ModelClass>): string[] {
    const problems: string[] = [];
    for (const manifest of manifests) {
        if (!coreKinds.has(manifest.kind)) continue;
        const Model = models.get(`${manifest.apiVersion}/${manifest.kind}`);
        if (Model === undefined) {
            problems.push(`${describe(manifest)}: unexpected apiVersion ${manifest.apiVersion}`);
            continue;
        }
        try {
            new Model(manifest).validate();
        } catch (error) {
            problems.push(`${describe(manifest)}: ${(error as Error).message.replace(/\s+/g, " ")}`);
        }
    }
    return problems;
}

// ---------------------------------------------------------------------------------------------------
// Resources

/** CPU in millicores. */
function milliCpu(quantity: unknown): number | undefined {
    if (quantity === undefined || quantity === null) return undefined;
    const text = scalarText(quantity) ?? JSON.stringify(quantity);
    const match = /^([0-9.]+(?:e[+-]?[0-9]+)?)(m?)$/.exec(text);
    if (match === null) throw new Error(`not a CPU quantity: ${text}`);
    return Number(match[1]) * (match[2] === "m" ? 1 : 1000);
}

/** Memory in bytes. */
function bytes(quantity: unknown): number | undefined {
    if (quantity === undefined || quantity === null) return undefined;
    return memoryBytes(scalarText(quantity) ?? JSON.stringify(quantity));
}

const formatCpu = (milli: number) => `${(milli / 1000).toFixed(2)} CPU`;
const formatMemory = (value: number) => `${(value / 1024 ** 3).toFixed(2)} GiB`;

interface Footprint {
    milliCpu: number;
    bytes: number;
}
interface FootprintLine extends Footprint {
    readonly what: string;
}
interface Container {
    readonly name: string;
    readonly resources?: unknown;
    readonly restartPolicy?: string;
}

/** A pod's effective requests: its containers plus sidecar init containers, or its largest init container. */
function podRequests(containers: readonly Container[], initContainers: readonly Container[]): Footprint {
    const request = (container: Container) => ({
        milliCpu: milliCpu(get(container.resources, "requests", "cpu")) ?? 0,
        bytes: bytes(get(container.resources, "requests", "memory")) ?? 0,
    });
    const running = [...containers, ...initContainers.filter((container) => container.restartPolicy === "Always")].map(
        request,
    );
    const sum = running.reduce(
        (total, each) => ({ milliCpu: total.milliCpu + each.milliCpu, bytes: total.bytes + each.bytes }),
        { milliCpu: 0, bytes: 0 },
    );
    for (const init of initContainers.filter((container) => container.restartPolicy !== "Always").map(request)) {
        sum.milliCpu = Math.max(sum.milliCpu, init.milliCpu);
        sum.bytes = Math.max(sum.bytes, init.bytes);
    }
    return sum;
}

/** Containers without a CPU request, a memory request or a memory limit. */
function missingResources(container: Container): string[] {
    const missing: string[] = [];
    if (get(container.resources, "requests", "cpu") === undefined) missing.push("cpu request");
    if (get(container.resources, "requests", "memory") === undefined) missing.push("memory request");
    if (get(container.resources, "limits", "memory") === undefined) missing.push("memory limit");
    return missing;
}

/** The config-reloader sidecar's requests, from the Prometheus Operator's flags. */
function configReloaderRequests(manifests: readonly Manifest[]): Footprint {
    const footprint = { milliCpu: 0, bytes: 0 };
    for (const manifest of manifests.filter((each) => each.kind === "Deployment")) {
        const containers = (get(manifest, "spec", "template", "spec", "containers") as Container[] | undefined) ?? [];
        for (const arg of containers.flatMap((container) => (get(container, "args") as string[] | undefined) ?? [])) {
            const [flag, value] = arg.split("=", 2);
            if (flag === "--config-reloader-cpu-request") footprint.milliCpu = milliCpu(value) ?? 0;
            if (flag === "--config-reloader-memory-request") footprint.bytes = bytes(value) ?? 0;
        }
    }
    return footprint;
}

/** Per-container warnings and the request footprint of a release's pods. */
function inspectResources(
    chart: string,
    manifests: readonly Manifest[],
): { warnings: string[]; footprint: FootprintLine[] } {
    const warnings: string[] = [];
    const footprint: FootprintLine[] = [];
    for (const manifest of manifests.filter((each) => workloadKinds.has(each.kind))) {
        const pod = get(manifest, "spec", "template", "spec");
        const containers = (get(pod, "containers") as Container[] | undefined) ?? [];
        const initContainers = (get(pod, "initContainers") as Container[] | undefined) ?? [];
        for (const [container, init] of [
            ...containers.map((c) => [c, false] as const),
            ...initContainers.map((c) => [c, true] as const),
        ]) {
            const missing = missingResources(container);
            if (missing.length > 0)
                warnings.push(
                    `${chart} ${describe(manifest)} ${init ? "init " : ""}container ${container.name}: no ${missing.join(", ")}`,
                );
        }
        const replicas =
            manifest.kind === "DaemonSet" ? 1 : ((get(manifest, "spec", "replicas") as number | undefined) ?? 1);
        const each = podRequests(containers, initContainers);
        footprint.push({
            what: `${describe(manifest)} ×${replicas}${manifest.kind === "DaemonSet" ? " (per node)" : ""}`,
            milliCpu: each.milliCpu * replicas,
            bytes: each.bytes * replicas,
        });
    }
    // Pods the Prometheus Operator creates from the Prometheus and Alertmanager resources.
    const reloader = configReloaderRequests(manifests);
    for (const manifest of manifests.filter(
        (each) =>
            each.apiVersion === "monitoring.coreos.com/v1" &&
            (each.kind === "Prometheus" || each.kind === "Alertmanager"),
    )) {
        const resources = get(manifest, "spec", "resources");
        const missing = missingResources({ name: manifest.kind.toLowerCase(), resources });
        if (missing.length > 0)
            warnings.push(
                `${chart} ${describe(manifest)} (operator-managed) container ${manifest.kind.toLowerCase()}: no ${missing.join(", ")}`,
            );
        const replicas = (get(manifest, "spec", "replicas") as number | undefined) ?? 1;
        footprint.push({
            what: `${describe(manifest)} ×${replicas} (operator-managed, with config-reloader)`,
            milliCpu: ((milliCpu(get(resources, "requests", "cpu")) ?? 0) + reloader.milliCpu) * replicas,
            bytes: ((bytes(get(resources, "requests", "memory")) ?? 0) + reloader.bytes) * replicas,
        });
    }
    return { warnings, footprint };
}

// ---------------------------------------------------------------------------------------------------
// Render and check

interface ReleaseFile {
    readonly chart: string;
    readonly version: string;
    readonly repository?: string;
    readonly namespace: string;
    readonly name: string;
    readonly values: Json;
}

interface ReleaseResult {
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

interface Options {
    readonly charts: string;
    readonly helm: string;
    readonly work: string;
    readonly models: ReadonlyMap<string, ModelClass>;
    /** `<path>=<value>` config settings for every render. */
    readonly config: readonly string[];
}

/** Renders one stack into `<work>/<stack>`, in a child process: the program loads once per process. */
function renderStack(stack: StackName, work: string, config: readonly string[]): string {
    const args = ["tsx", join(projectRoot, "tools", "render.ts"), "--stack", stack, "--out", work];
    args.push(...overrideFlags(stackSecrets[stack]), ...config.flatMap((setting) => ["--config", setting]));
    const result = spawnSync("npx", args, { cwd: projectRoot, encoding: "utf8" });
    if (result.status !== 0)
        throw new Error(`render of ${stack} failed (rc ${String(result.status)}):\n${result.stderr}${result.stdout}`);
    return join(work, stack);
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

/**
 * (f) Every pod selector of the NetworkPolicies (components/network-policies.ts) selects pods that the
 * charts really render: a selector that matches nothing would silently cut a flow. The operator's own
 * pods (Prometheus, Alertmanager) carry app.kubernetes.io/name of their kind.
 */
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

function checkStack(stack: StackName, options: Options): ReleaseResult[] {
    const directory = renderStack(stack, options.work, options.config);
    const helmDir = join(directory, "helm");
    const releases = readdirSync(helmDir)
        .filter((name) => name.endsWith(".json"))
        .sort()
        .map((name) => checkRelease(stack, join(helmDir, name), options));
    return [...releases, checkNetworkPolicies(stack, options), checkAwaitedObjects(stack, directory, options)];
}

// ---------------------------------------------------------------------------------------------------
// Report

function table(rows: string[][]): string {
    const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
    return rows
        .map((row) =>
            row
                .map((cell, column) => cell.padEnd(widths[column] ?? 0))
                .join("  ")
                .trimEnd(),
        )
        .join("\n");
}

function report(
    results: readonly ReleaseResult[],
    stacksChecked: readonly StackName[],
    renderFailures: readonly string[],
): boolean {
    const rows = [["stack", "release", "chart", "pinned", "local", "objects", "failures", "warnings", "result"]];
    for (const r of results) {
        rows.push([
            r.stack,
            r.release,
            r.chart,
            r.pinned,
            r.local,
            String(r.objects),
            String(r.failures.length),
            String(r.warnings.length),
            r.failures.length > 0 ? "FAIL" : "ok",
        ]);
    }
    console.log(table(rows));

    const failures = [
        ...renderFailures,
        ...results.flatMap((r) => r.failures.map((failure) => `${r.stack}/${r.release}: ${failure}`)),
    ];
    if (failures.length > 0)
        console.log(`\nFAILURES (${failures.length}):\n${failures.map((failure) => `  ✗ ${failure}`).join("\n")}`);

    for (const stack of stacksChecked) {
        const ofStack = results.filter((r) => r.stack === stack);
        const warnings = ofStack.flatMap((r) => r.warnings);
        if (warnings.length > 0)
            console.log(
                `\nWARNING ${stack}: containers without requests/limits (${warnings.length}):\n${warnings.map((w) => `  ! ${w}`).join("\n")}`,
            );
    }

    console.log("\nRequested resources (workload containers × replicas; a DaemonSet counts one node):");
    for (const stack of stacksChecked) {
        const lines = results
            .filter((r) => r.stack === stack)
            .flatMap((r) => r.footprint.map((line) => ({ ...line, what: `${r.release}: ${line.what}` })));
        if (lines.length === 0) continue;
        const total = lines.reduce(
            (sum, line) => ({ milliCpu: sum.milliCpu + line.milliCpu, bytes: sum.bytes + line.bytes }),
            { milliCpu: 0, bytes: 0 },
        );
        console.log(`\n  ${stack}:`);
        console.log(table(lines.map((line) => ["   ", line.what, formatCpu(line.milliCpu), formatMemory(line.bytes)])));
        let verdict = "";
        if (stack === "dev") {
            const fits = total.milliCpu <= devFootprintTarget.milliCpu && total.bytes <= devFootprintTarget.bytes;
            verdict = fits
                ? "  (within the dev target of 1 CPU / 2 GiB)"
                : "  WARNING: over the dev target of 1 CPU / 2 GiB";
        }
        console.log(`    TOTAL ${stack}: ${formatCpu(total.milliCpu)}, ${formatMemory(total.bytes)}${verdict}`);
    }
    console.log(failures.length === 0 ? "\nall releases pass" : `\n${failures.length} failure(s)`);
    return failures.length === 0;
}

export const checkChartsCommand = {
    invocation: "npm run check:charts --",
    summary:
        "Renders every stack offline, runs `helm template` on each release's pinned chart, validates the core\n" +
        "objects, warns on containers without requests/limits, totals the requests and checks the\n" +
        "NetworkPolicies' selectors against the rendered pods. Exit 1 on a failure.",
    flags: {
        charts: {
            type: "text",
            value: "<dir>",
            required: true,
            description: "a folder with one unpacked chart per chart name, at its pinned version",
        },
        helm: { type: "text", value: "<helm>", default: "helm", description: "the helm binary" },
        stack: { type: "list", value: "<stack>", choices: stacks, description: "check only this stack" },
        keep: { type: "switch", description: "keep the rendered values and manifests, and print where" },
        config: {
            type: "list",
            value: "<path>=<value>",
            description: "a config value for the render of every stack checked (e.g. loki.mode=distributed)",
        },
    },
    notes: [
        'Fill the chart folder once, per pinned chart (README "Tests" lists the commands):',
        `  ${pullCommands("<dir>")[0] ?? ""}`,
        "  …",
    ],
    examples: [
        "npm run check:charts -- --charts ~/charts",
        "npm run check:charts -- --charts ~/charts --helm /opt/helm/helm --stack dev --keep",
        "npm run check:charts -- --charts ~/charts --stack prod --config loki.mode=distributed",
    ],
} as const satisfies Command;

/** `helm pull --untar` for every chart this program installs, at its default pinned version. */
export function pullCommands(folder: string): string[] {
    return Object.values(charts).map(
        (chart) =>
            `helm pull ${chart.chart} --repo ${chart.repository} --version ${chart.version} --untar --untardir ${folder}`,
    );
}

/**
 * What must be there before anything is rendered, said in one line each: helm runs, the folder exists
 * and holds each chart. A missing chart of a stack that pins another version is caught per release.
 */
export function preflight(folder: string, helm: string): string[] {
    const problems: string[] = [];
    const version = spawnSync(helm, ["version", "--short"], { encoding: "utf8" });
    if (version.error !== undefined || version.status !== 0)
        problems.push(
            `cannot run helm as "${helm}" (${version.error?.message ?? version.stderr.trim()}): pass --helm <path>`,
        );
    if (!existsSync(folder)) {
        problems.push(`no chart folder ${folder}: fill it with \`helm pull --untar\` per chart (README "Tests")`);
    } else {
        const missing = Object.values(charts)
            .map((chart) => chart.chart)
            .filter((name) => !existsSync(join(folder, name, "Chart.yaml")));
        if (missing.length > 0)
            problems.push(
                `${folder} lacks ${missing.length} chart(s): ${missing.join(", ")}; fill it with \`helm pull --untar\` per chart (README "Tests")`,
            );
    }
    return problems;
}

async function main(values: Values<typeof checkChartsCommand>): Promise<number> {
    const selected = values.stack.length === 0 ? [...stacks] : (values.stack as StackName[]);
    const folder = resolve(values.charts);
    const problems = preflight(folder, values.helm);
    if (problems.length > 0) {
        for (const problem of problems) console.error(`check-charts: ${problem}`);
        return 2;
    }

    const work = mkdtempSync(join(tmpdir(), "check-charts-"));
    const options: Options = {
        charts: folder,
        helm: values.helm,
        work,
        models: await loadModels(),
        config: values.config,
    };
    const results: ReleaseResult[] = [];
    const renderFailures: string[] = [];
    try {
        for (const stack of selected) {
            try {
                results.push(...checkStack(stack, options));
            } catch (error) {
                renderFailures.push(`${stack}: ${(error as Error).message}`);
            }
        }
        const ok = report(results, selected, renderFailures);
        if (values.keep) console.log(`rendered values and manifests kept in ${work}`);
        return ok ? 0 : 1;
    } finally {
        if (!values.keep) rmSync(work, { recursive: true, force: true });
    }
}

if (require.main === module) runCli("check-charts", checkChartsCommand, main);
