// The Prometheus Operator objects each stack emits, validated against the operator's schemas: the
// PodMonitors, Probes, ScrapeConfigs, ServiceMonitors, PrometheusRules and AlertmanagerConfigs it
// registers itself, and those it hands to kube-prometheus-stack 88.5.3 in Helm values, rendered into
// full objects the way the chart's templates render them (templates/prometheus/podmonitors.yaml,
// servicemonitors.yaml, additionalPrometheusRules.yaml; the fields of prometheusSpec and
// alertmanagerSpec that prometheus.yaml and alertmanager.yaml copy as they are).
//
// Schemas: npm @kubernetes-models/prometheus-operator 6.0.0, generated from the operator's Go API
// types at prometheus-operator v0.91.0. The cluster runs operator v0.93.1 (kube-prometheus-stack
// 88.5.3, prometheus-operator-crds 31.0.1); 6.0.0 is the newest release of the package, and so the
// closest to v0.93.1 there is. A field the operator added in v0.92 or v0.93 would be reported unknown
// here: check it against the v0.93.1 CRDs before allowing it.
//
// Two checks, because each misses what the other sees:
// - the package's JSON schema validation (`validate()`): types, required fields, enums, formats. One
//   correction: the package requires `apiVersion` and `kind` of embedded objects (a Prometheus'
//   `storage.volumeClaimTemplate`), which the v0.93.1 CRDs leave optional (Go's TypeMeta is
//   `omitempty`); that one error is not counted, below the object's root only;
// - an unknown-field check with the package's TypeScript types: each object is type-checked as an
//   object literal of its kind (every field optional: the schema checks what is required), so a
//   misspelled field (which the API server would prune without a word, and the JSON schema allows) is
//   an error.
// And one the chart adds: a key of an additionalPodMonitors/additionalServiceMonitors entry that the
// chart's template does not copy into the object is silently dropped, so it is an error too.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { before, describe, it } from "node:test";
import ts from "typescript";
import { overrideFlags, placeholderSecrets } from "../tools/offline-config";

const root = resolve(__dirname, "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
const packageName = "@kubernetes-models/prometheus-operator";

type Json = Record<string, unknown>;

interface OperatorObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Json };
    readonly spec: Json;
}

/** Where an object came from, for the messages. */
interface Found {
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

/** The keys of an additionalPodMonitors entry that podmonitors.yaml copies (scrapeLimits included). */
const podMonitorKeys = [
    "name",
    "additionalLabels",
    "podMetricsEndpoints",
    "jobLabel",
    "namespaceSelector",
    "selector",
    "podTargetLabels",
    "sampleLimit",
    "targetLimit",
    "labelLimit",
    "labelNameLengthLimit",
    "labelValueLengthLimit",
    "fallbackScrapeProtocol",
    "attachMetadata",
] as const;
/** The same for additionalServiceMonitors (servicemonitors.yaml). */
const serviceMonitorKeys = [
    "name",
    "additionalLabels",
    "endpoints",
    "jobLabel",
    "namespaceSelector",
    "selector",
    "targetLabels",
    "podTargetLabels",
    "sampleLimit",
    "targetLimit",
    "labelLimit",
    "labelNameLengthLimit",
    "labelValueLengthLimit",
    "fallbackScrapeProtocol",
    "attachMetadata",
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
function chartObjects(values: Json, release: string, namespace: string, problems: string[]): OperatorObject[] {
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
    if (isObject(prometheus.prometheusSpec))
        objects.push({
            apiVersion: "monitoring.coreos.com/v1",
            kind: "Prometheus",
            metadata: { name: `${release}-prometheus`, namespace },
            spec: pick(prometheus.prometheusSpec, prometheusVerbatim),
        });
    const alertmanager = isObject(values.alertmanager) ? values.alertmanager : {};
    if (isObject(alertmanager.alertmanagerSpec))
        objects.push({
            apiVersion: "monitoring.coreos.com/v1",
            kind: "Alertmanager",
            metadata: { name: `${release}-alertmanager`, namespace },
            spec: pick(alertmanager.alertmanagerSpec, alertmanagerVerbatim),
        });
    return objects;
}

/** A model class of the package: constructed from a plain object, `validate()` throws on violations. */
type ModelClass = new (data: unknown) => { validate(): void };

/** The package is ESM-only: loaded with a native dynamic import. */
async function loadModels(): Promise<Map<string, ModelClass>> {
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
function schemaProblems(found: readonly Found[], models: ReadonlyMap<string, ModelClass>): string[] {
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
function typeProblems(found: readonly Found[]): string[] {
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

function validate(found: readonly Found[], models: ReadonlyMap<string, ModelClass>): string[] {
    return [...schemaProblems(found, models), ...typeProblems(found)];
}

interface Rendered {
    readonly resources: { type: string; name: string; inputs: Json }[];
    readonly values: Json;
    readonly release: string;
    readonly namespace: string;
}

function render(stack: string): Promise<Rendered> {
    const out = mkdtempSync(join(tmpdir(), `operator-objects-${stack}-`));
    const args = ["tools/render.ts", "--stack", stack, "--out", out];
    if (stack !== "dev") args.push(...overrideFlags(placeholderSecrets));
    return new Promise((done, fail) => {
        const child = spawn(tsx, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.on("error", fail);
        child.on("close", (code) => {
            if (code !== 0) {
                fail(new Error(`rendering ${stack} failed:\n${output}`));
                return;
            }
            const directory = join(out, stack);
            const helm = JSON.parse(readFileSync(join(directory, "helm", "kube-prometheus-stack.json"), "utf8")) as {
                name: string;
                namespace: string;
                values: Json;
            };
            done({
                resources: JSON.parse(readFileSync(join(directory, "resources.json"), "utf8")) as Rendered["resources"],
                values: helm.values,
                release: helm.name,
                namespace: helm.namespace,
            });
        });
    });
}

/** Every operator object of a render; `problems` gets the keys the chart would drop. */
function operatorObjects(rendered: Rendered, problems: string[]): Found[] {
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

let models: Map<string, ModelClass>;
before(async () => {
    models = await loadModels();
});

for (const stack of ["dev", "staging", "prod"]) {
    describe(`operator objects of stack ${stack}`, () => {
        let found: Found[] = [];
        const dropped: string[] = [];
        before(async () => {
            found = operatorObjects(await render(stack), dropped);
        });

        it("holds STELLA's PodMonitors and rules, and the Prometheus and Alertmanager specs", () => {
            const names = found.map((item) => `${item.object.kind} ${item.object.metadata.name}`);
            for (const expected of [
                "PodMonitor stella-backend",
                "PodMonitor stella-agents",
                "PrometheusRule kube-prometheus-stack-stella",
                "Prometheus kube-prometheus-stack-prometheus",
                "Alertmanager kube-prometheus-stack-alertmanager",
            ])
                assert.ok(names.includes(expected), `no ${expected} among: ${names.join(", ")}`);
        });

        it("passes the operator's schemas, with no unknown field", () => {
            assert.deepEqual(validate(found, models), []);
        });

        it("gives the chart no monitor key it would drop", () => {
            assert.deepEqual(dropped, []);
        });
    });
}

describe("a deliberately broken object fails", () => {
    const podMonitor = (endpoint: Json): Found => ({
        origin: "broken",
        object: {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PodMonitor",
            metadata: { name: "stella-backend", namespace: "monitoring" },
            spec: {
                selector: { matchLabels: { app: "session-management-server" } },
                podMetricsEndpoints: [{ portNumber: 3000, path: "/metrics", ...endpoint }],
            },
        },
    });

    it("the objects here are valid before they are broken", () => {
        const rule: Found = {
            origin: "broken",
            object: {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: "stella" },
                spec: { groups: [{ name: "g", rules: [{ record: "a:b:c", expr: "up" }] }] },
            },
        };
        assert.deepEqual(
            validate([podMonitor({ relabelings: [{ targetLabel: "job", replacement: "x" }] }), rule], models),
            [],
        );
    });

    it("a relabeling with an action the operator does not know (schema)", () => {
        const problems = validate([podMonitor({ relabelings: [{ action: "rename", targetLabel: "job" }] })], models);
        assert.ok(
            problems.some((problem) => /broken: PodMonitor stella-backend: .*action/s.test(problem)),
            problems.join("\n"),
        );
    });

    it("a misspelled field, which the JSON schema lets through (unknown field)", () => {
        const broken = podMonitor({ relabellings: [{ targetLabel: "job", replacement: "x" }] });
        assert.deepEqual(schemaProblems([broken], models), [], "the JSON schema alone allows unknown fields");
        const problems = typeProblems([broken]);
        assert.ok(
            problems.some(
                (problem) =>
                    problem.startsWith("broken: PodMonitor stella-backend:") && problem.includes("relabellings"),
            ),
            problems.join("\n"),
        );
    });

    it("a rule without an expression (schema)", () => {
        const problems = validate(
            [
                {
                    origin: "broken",
                    object: {
                        apiVersion: "monitoring.coreos.com/v1",
                        kind: "PrometheusRule",
                        metadata: { name: "stella" },
                        spec: { groups: [{ name: "g", rules: [{ alert: "X", for: "5m" }] }] },
                    },
                },
            ],
            models,
        );
        assert.ok(
            problems.some((problem) => problem.includes("expr")),
            problems.join("\n"),
        );
    });

    it("a monitor key that kube-prometheus-stack's template drops", () => {
        const problems: string[] = [];
        chartObjects(
            {
                prometheus: {
                    additionalPodMonitors: [
                        {
                            name: "stella-backend",
                            selector: { matchLabels: { app: "x" } },
                            podMetricsEndpoints: [{ portNumber: 3000 }],
                            scrapeTimeout: "10s",
                        },
                    ],
                },
            },
            "kube-prometheus-stack",
            "monitoring",
            problems,
        );
        assert.deepEqual(problems, [
            'prometheus.additionalPodMonitors stella-backend: the chart drops key "scrapeTimeout"',
        ]);
    });
});
