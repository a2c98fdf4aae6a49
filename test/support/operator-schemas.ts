// The Prometheus Operator objects of a render, and the two checks of test/operator-objects.test.ts
// (that file says why both): the package's JSON schemas, and its TypeScript types for unknown fields.
// kube-prometheus-stack's objects are rebuilt from its values the way its templates build them.

import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import ts from "typescript";

const root = resolve(__dirname, "..", "..");
/** What operatorObjects reads from a render: its resources and kube-prometheus-stack's release. */
export interface RenderedObjects {
    readonly resources: { type: string; name: string; inputs: Json }[];
    readonly values: Json;
    readonly release: string;
    readonly namespace: string;
}

const packageName = "@kubernetes-models/prometheus-operator";

export type Json = Record<string, unknown>;

export interface OperatorObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Json };
    readonly spec: Json;
}

/** Where an object came from, for the messages. */
export interface Found {
    readonly origin: string;
    readonly object: OperatorObject;
}

/** The operator's kinds, by API group version, with the module of the package that models each. */
const kinds: Record<string, readonly string[]> = {
    "monitoring.coreos.com/v1": [
        "PodMonitor",
        "ServiceMonitor",
        "Probe",
        "PrometheusRule",
        "Prometheus",
        "Alertmanager",
        "ThanosRuler",
    ],
    "monitoring.coreos.com/v1alpha1": ["AlertmanagerConfig", "ScrapeConfig", "PrometheusAgent"],
    "monitoring.coreos.com/v1beta1": ["AlertmanagerConfig"],
};

const isObject = (value: unknown): value is Json =>
    value !== null && typeof value === "object" && !Array.isArray(value);

/** The keys both monitor templates copy after the kind's own (scrapeLimits included). */
const monitorLimitKeys = [
    "podTargetLabels",
    "sampleLimit",
    "targetLimit",
    "labelLimit",
    "labelNameLengthLimit",
    "labelValueLengthLimit",
    "fallbackScrapeProtocol",
    "attachMetadata",
] as const;
/** The keys of an additionalPodMonitors entry that podmonitors.yaml copies. */
const podMonitorKeys = [
    "name",
    "additionalLabels",
    "podMetricsEndpoints",
    "jobLabel",
    "namespaceSelector",
    "selector",
    ...monitorLimitKeys,
] as const;
/** The same for additionalServiceMonitors (servicemonitors.yaml), which also copies targetLabels. */
const serviceMonitorKeys = [
    "name",
    "additionalLabels",
    "endpoints",
    "jobLabel",
    "namespaceSelector",
    "selector",
    "targetLabels",
    ...monitorLimitKeys,
] as const;
/** prometheusSpec / alertmanagerSpec keys the chart copies into the object as they are (values key → spec key). */
const prometheusVerbatim: Record<string, string> = {
    replicas: "replicas",
    retention: "retention",
    retentionSize: "retentionSize",
    scrapeInterval: "scrapeInterval",
    evaluationInterval: "evaluationInterval",
    enableFeatures: "enableFeatures",
    exemplars: "exemplars",
    resources: "resources",
    externalLabels: "externalLabels",
    remoteWrite: "remoteWrite",
    storageSpec: "storage",
    secrets: "secrets",
};
const alertmanagerVerbatim: Record<string, string> = {
    replicas: "replicas",
    retention: "retention",
    resources: "resources",
    storage: "storage",
    secrets: "secrets",
    configSecret: "configSecret",
    alertmanagerConfigSelector: "alertmanagerConfigSelector",
};

/** Keys of a values entry the chart's template drops. */
function droppedKeys(entry: Json, copied: readonly string[]): string[] {
    return Object.keys(entry).filter((key) => !copied.includes(key));
}

function pick(values: Json, mapping: Record<string, string>): Json {
    const spec: Json = {};
    for (const [from, to] of Object.entries(mapping)) if (values[from] !== undefined) spec[to] = values[from];
    return spec;
}

/** The operator objects kube-prometheus-stack renders from its values; `problems` gets the dropped keys. */
export function chartObjects(values: Json, release: string, namespace: string, problems: string[]): OperatorObject[] {
    const objects: OperatorObject[] = [];
    const prometheus = isObject(values.prometheus) ? values.prometheus : {};
    const monitors = (key: string, kind: string, copied: readonly string[]) => {
        const entries = prometheus[key];
        if (entries === undefined) return;
        assert.ok(Array.isArray(entries), `prometheus.${key} is not a list`);
        for (const entry of entries as unknown[]) {
            assert.ok(isObject(entry), `prometheus.${key}: an entry is not an object`);
            const name = String(entry.name);
            for (const dropped of droppedKeys(entry, copied))
                problems.push(`prometheus.${key} ${name}: the chart drops key "${dropped}"`);
            const spec: Json = {};
            for (const field of copied)
                if (field !== "name" && field !== "additionalLabels") spec[field] = entry[field];
            for (const field of Object.keys(spec)) if (spec[field] === undefined) delete spec[field];
            objects.push({
                apiVersion: "monitoring.coreos.com/v1",
                kind,
                metadata: {
                    name,
                    namespace,
                    ...(isObject(entry.additionalLabels) ? { labels: entry.additionalLabels } : {}),
                },
                spec,
            });
        }
    };
    monitors("additionalPodMonitors", "PodMonitor", podMonitorKeys);
    monitors("additionalServiceMonitors", "ServiceMonitor", serviceMonitorKeys);
    const rules = values.additionalPrometheusRulesMap;
    if (isObject(rules))
        for (const [name, rule] of Object.entries(rules)) {
            assert.ok(isObject(rule), `additionalPrometheusRulesMap.${name} is not an object`);
            objects.push({
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: `${release}-${name}`.slice(0, 63).replace(/-+$/, ""), namespace },
                spec: { groups: rule.groups },
            });
        }
    // prometheus.yaml and alertmanager.yaml: one object each, named after the release and the kind.
    const workload = (kind: "Prometheus" | "Alertmanager", spec: unknown, verbatim: Record<string, string>) => {
        if (isObject(spec))
            objects.push({
                apiVersion: "monitoring.coreos.com/v1",
                kind,
                metadata: { name: `${release}-${kind.toLowerCase()}`, namespace },
                spec: pick(spec, verbatim),
            });
    };
    workload("Prometheus", prometheus.prometheusSpec, prometheusVerbatim);
    const alertmanager = isObject(values.alertmanager) ? values.alertmanager : {};
    workload("Alertmanager", alertmanager.alertmanagerSpec, alertmanagerVerbatim);
    return objects;
}

/** A model class of the package: constructed from a plain object, `validate()` throws on violations. */
export type ModelClass = new (data: unknown) => { validate(): void };

/** The package is ESM-only: loaded with a native dynamic import. */
export async function loadModels(): Promise<Map<string, ModelClass>> {
    const models = new Map<string, ModelClass>();
    for (const [apiVersion, names] of Object.entries(kinds)) {
        const version = apiVersion.split("/")[1] ?? "";
        const module = (await import(`${packageName}/monitoring.coreos.com/${version}`)) as Record<
            string,
            ModelClass | undefined
        >;
        for (const kind of names) {
            const model = module[kind];
            assert.ok(model !== undefined, `${packageName} has no model ${apiVersion} ${kind}`);
            models.set(`${apiVersion}/${kind}`, model);
        }
    }
    return models;
}

const label = (found: Found) => `${found.origin}: ${found.object.kind} ${found.object.metadata.name}`;

interface SchemaError {
    readonly instancePath: string;
    readonly keyword: string;
    readonly message?: string;
    readonly params?: { readonly missingProperty?: string };
}

/** The package's one known departure from the CRDs: embedded objects' TypeMeta is optional there. */
const embeddedTypeMeta = (error: SchemaError) =>
    error.keyword === "required" &&
    error.instancePath !== "" &&
    ["apiVersion", "kind"].includes(error.params?.missingProperty ?? "");

/** JSON-schema problems. */
export function schemaProblems(found: readonly Found[], models: ReadonlyMap<string, ModelClass>): string[] {
    const problems: string[] = [];
    for (const item of found) {
        const Model = models.get(`${item.object.apiVersion}/${item.object.kind}`);
        if (Model === undefined) {
            problems.push(`${label(item)}: no schema for ${item.object.apiVersion}`);
            continue;
        }
        try {
            new Model(item.object).validate();
        } catch (error) {
            const errors = (error as { errors?: SchemaError[] }).errors;
            if (errors === undefined) throw error;
            for (const failure of errors.filter((candidate) => !embeddedTypeMeta(candidate)))
                problems.push(`${label(item)}: data${failure.instancePath} ${failure.message ?? failure.keyword}`);
        }
    }
    return problems;
}

/**
 * Unknown fields (and anything else the package's types refuse): every object type-checked, as an
 * object literal of its kind's interface, in one in-memory TypeScript program.
 */
export function typeProblems(found: readonly Found[]): string[] {
    // .mts: the package is ESM-only, and a CommonJS file may not import its types plainly.
    const file = join(root, "test", "operator-objects.generated.mts");
    const imports = new Map<string, string>();
    const lines: string[] = [];
    found.forEach((item, index) => {
        const version = item.object.apiVersion.split("/")[1] ?? "";
        const type = `${version}_${item.object.kind}`;
        imports.set(
            type,
            `import type { I${item.object.kind} as ${type} } from "${packageName}/monitoring.coreos.com/${version}/${item.object.kind}";`,
        );
        lines.push(
            `// ${index}\nexport const object${index}: Partially<${type}> = ${JSON.stringify(item.object, null, 1)};`,
        );
    });
    const partial =
        "type Partially<T> = T extends readonly (infer U)[] ? Partially<U>[] : T extends object ? { [K in keyof T]?: Partially<T[K]> } : T;";
    const text = `${[...imports.values()].join("\n")}\n${partial}\n${lines.join("\n")}\n`;
    const options: ts.CompilerOptions = {
        target: ts.ScriptTarget.ES2023,
        module: ts.ModuleKind.Node16,
        moduleResolution: ts.ModuleResolutionKind.Node16,
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, language, ...rest) =>
        resolve(name) === file ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, ...rest);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => resolve(name) === file || fileExists(name);
    const program = ts.createProgram([file], options, host);
    const source = program.getSourceFile(file);
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
        const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
        if (diagnostic.file === undefined || diagnostic.start === undefined || source === undefined) return message;
        // The object the diagnostic is in: the nearest "// <index>" line above it.
        const before = text.slice(0, diagnostic.start);
        const marker = /\/\/ (\d+)\n(?![\s\S]*\/\/ \d+\n)/.exec(before);
        const item = marker === null ? undefined : found[Number(marker[1])];
        const path = before.slice(before.lastIndexOf("\n") + 1).trim();
        return `${item === undefined ? "?" : label(item)}: ${message} (at ${path})`;
    });
}

export function validate(found: readonly Found[], models: ReadonlyMap<string, ModelClass>): string[] {
    return [...schemaProblems(found, models), ...typeProblems(found)];
}

/** Every operator object of a render; `problems` gets the keys the chart would drop. */
export function operatorObjects(rendered: RenderedObjects, problems: string[]): Found[] {
    const found: Found[] = [];
    for (const resource of rendered.resources) {
        // e.g. kubernetes:monitoring.coreos.com/v1:PodMonitor
        const match = /^kubernetes:(monitoring\.coreos\.com\/\w+):(\w+)$/.exec(resource.type);
        if (match === null) continue;
        const { metadata, spec } = resource.inputs as { metadata?: OperatorObject["metadata"]; spec?: Json };
        // A patch (pulumi up's wait for the operator's Prometheus and Alertmanager) touches only the
        // metadata of an object the chart owns: it must carry no spec, and the chart's object is the one
        // validated (from the values, below).
        if (match[2]?.endsWith("Patch") === true) {
            if (spec !== undefined) problems.push(`resource ${resource.name}: a ${match[2]} must not set a spec`);
            if (metadata?.name === undefined || metadata.namespace === undefined)
                problems.push(`resource ${resource.name}: a ${match[2]} must name its object and namespace`);
            continue;
        }
        found.push({
            origin: `resource ${resource.name}`,
            object: {
                apiVersion: match[1] ?? "",
                kind: match[2] ?? "",
                metadata: metadata ?? { name: resource.name },
                spec: spec ?? {},
            },
        });
    }
    for (const object of chartObjects(rendered.values, rendered.release, rendered.namespace, problems))
        found.push({ origin: `kube-prometheus-stack values`, object });
    return found;
}
