// Day 2 of logs, traces and Grafana: the silent failures a review of Alloy, Loki, Jaeger and Grafana
// against their sources found (lost and duplicated logs, unreachable traces, dashboards that vanish),
// each pinned by a test that fails without its fix.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseStackConfig, type RawEntry } from "../config";
import { parse as parseYaml, stringify } from "yaml";
import { alloyPipeline, alloyReleaseTimeoutSeconds, alloyValues, normalisedLevels } from "../components/alloy";
import { logsTracesDashboard } from "../dashboards/logs-traces";
import { jaegerConfig, jaegerValues } from "../components/jaeger";
import { memoryBytes } from "../quantities";
import { lokiValues } from "../components/loki";
import { valueAt } from "../config/paths";

const dev = () => parseStackConfig("dev", {});
const plain = (value: unknown): RawEntry => ({ value, secret: false });
const secret = (value: unknown): RawEntry => ({ value, secret: true });

/** A valid prod config, with the given entries on top. */
function prod(entries: Record<string, RawEntry> = {}) {
    return parseStackConfig("prod", {
        alerting: secret({
            slackWebhookUrl: "https://hooks.slack.com/services/T/B/X",
            pagerdutyRoutingKey: "abcdefghijklmnopqrstuvwxyz",
            heartbeatUrl: "https://hc-ping.example.com/x",
            runbookBaseUrl: "https://git.example.org/sre/stella-monitoring/blob/main/docs/runbooks",
        }),
        loki: secret({
            objectStorage: {
                bucketNames: { chunks: "c-bucket", ruler: "r-bucket", admin: "a-bucket" },
                accessKeyId: "AKIA",
                secretAccessKey: "x",
            },
        }),
        jaeger: plain({ storage: { type: "opensearch", serverUrls: ["https://os:9200"] } }),
        ...entries,
    });
}

describe("Jaeger", () => {
    it("searches the whole retention on OpenSearch, not the 72h default of max_span_age", () => {
        for (const retentionDays of [7, 30]) {
            const config = prod({
                jaeger: plain({ storage: { type: "opensearch", serverUrls: ["https://os:9200"], retentionDays } }),
            });
            const backend = valueAt(
                jaegerConfig(config.jaeger, "http://prometheus:9090"),
                "extensions.jaeger_storage.backends.primary.opensearch",
            );
            assert.equal(valueAt(backend, "max_span_age"), `${retentionDays * 24}h`);
        }
    });

    it("bounds the dev memory store by its memory limit, and limits memory before batching", () => {
        const dev = parseStackConfig("dev", {});
        const config = jaegerConfig(dev.jaeger, "http://prometheus:9090");
        const maxTraces = valueAt(config, "extensions.jaeger_storage.backends.primary.memory.max_traces") as number;
        // 32 KiB a trace in half of the 512Mi limit.
        assert.equal(maxTraces, 8192);
        assert.ok(maxTraces * 32 * 1024 <= memoryBytes(dev.jaeger.resources.limits.memory) / 2);
        assert.deepEqual(valueAt(config, "service.pipelines.traces.processors"), ["memory_limiter", "batch"]);
        const limiter = valueAt(config, "processors.memory_limiter") as Record<string, unknown>;
        assert.ok((limiter.limit_percentage as number) < 100 && (limiter.spike_limit_percentage as number) > 0);
        assert.equal(typeof limiter.check_interval, "string");

        const bigger = parseStackConfig("dev", { jaeger: plain({ resources: { limits: { memory: "1Gi" } } }) });
        assert.equal(
            valueAt(jaegerConfig(bigger.jaeger, "x"), "extensions.jaeger_storage.backends.primary.memory.max_traces"),
            16384,
        );
        const set = parseStackConfig("dev", { jaeger: plain({ storage: { maxTraces: 2000 } }) });
        assert.equal(
            valueAt(
                jaegerValues({ jaeger: set.jaeger, prometheusUrl: "x" }),
                "userconfig.extensions.jaeger_storage.backends.primary.memory.max_traces",
            ),
            2000,
        );
    });
});

describe("Loki", () => {
    it("keeps write quorum through evictions: a PodDisruptionBudget for three monolithic replicas", () => {
        const config = prod({
            loki: secret({
                replicas: 3,
                objectStorage: {
                    bucketNames: { chunks: "c-bucket", ruler: "r-bucket", admin: "a-bucket" },
                    accessKeyId: "AKIA",
                    secretAccessKey: "x",
                },
            }),
        });
        const values = lokiValues({ loki: config.loki });
        assert.equal(valueAt(values, "loki.commonConfig.replication_factor"), 3);
        // The chart renders the budget only when one of its bounds is set (its default leaves both null).
        assert.equal(valueAt(values, "singleBinary.podDisruptionBudget.maxUnavailable"), 1);
        assert.equal(
            valueAt(lokiValues({ loki: parseStackConfig("dev", {}).loki }), "singleBinary.podDisruptionBudget"),
            undefined,
        );
    });

    it("gives the distributed ingesters and compactor the configured volume, not the chart's 10Gi claim", () => {
        const config = prod({
            loki: secret({
                mode: "distributed",
                storage: { enabled: true, size: "50Gi", storageClass: "fast-ssd" },
                objectStorage: {
                    bucketNames: { chunks: "c-bucket", ruler: "r-bucket", admin: "a-bucket" },
                    accessKeyId: "AKIA",
                    secretAccessKey: "x",
                },
            }),
        });
        const values = lokiValues({ loki: config.loki });
        for (const component of ["ingester", "compactor"]) {
            // The chart's workload template renders one volume claim per entry of persistence.claims and
            // reads size and storageClass from there: the component's persistence.size is ignored.
            assert.deepEqual(
                valueAt(values, `${component}.persistence.claims`),
                [{ name: "data", accessModes: ["ReadWriteOnce"], size: "50Gi", storageClass: "fast-ssd" }],
                component,
            );
            assert.equal(valueAt(values, `${component}.persistence.enabled`), true, component);
        }
    });

    it("sizes the tenant's ingestion limits per stack and truncates long lines instead of dropping them", () => {
        const dev = lokiValues({ loki: parseStackConfig("dev", {}).loki });
        assert.deepEqual(valueAt(dev, "loki.limits_config"), {
            retention_period: "168h",
            allow_structured_metadata: true,
            ingestion_rate_mb: 4,
            ingestion_burst_size_mb: 6,
            per_stream_rate_limit: "3MB",
            per_stream_rate_limit_burst: "15MB",
            max_line_size: "256KB",
            max_line_size_truncate: true,
            // The cardinality guards; test/log-cardinality.test.ts covers them.
            max_global_streams_per_user: 5000,
            max_label_names_per_series: 10,
            max_label_value_length: 256,
        });
        const busy = prod({
            loki: secret({
                limits: { ingestionRateMb: 16, ingestionBurstSizeMb: 32, maxLineSize: "512KB" },
                objectStorage: {
                    bucketNames: { chunks: "c-bucket", ruler: "r-bucket", admin: "a-bucket" },
                    accessKeyId: "AKIA",
                    secretAccessKey: "x",
                },
            }),
        });
        const limits = valueAt(lokiValues({ loki: busy.loki }), "loki.limits_config");
        assert.equal(valueAt(limits, "ingestion_rate_mb"), 16);
        assert.equal(valueAt(limits, "ingestion_burst_size_mb"), 32);
        assert.equal(valueAt(limits, "max_line_size"), "512KB");
        assert.throws(
            () => parseStackConfig("dev", { loki: plain({ limits: { ingestionBurstSizeMb: 2 } }) }),
            /loki\.limits\.ingestionBurstSizeMb: 2 is below loki\.limits\.ingestionRateMb \(4\)/,
        );
        assert.throws(
            () => parseStackConfig("dev", { loki: plain({ limits: { maxLineSize: "big" } }) }),
            /loki\.limits\.maxLineSize: expected a size .*got "big"/,
        );
    });

    it("publishes not-ready members on the memberlist Service, so a starting ring member is found", () => {
        assert.equal(
            valueAt(
                lokiValues({ loki: parseStackConfig("dev", {}).loki }),
                "memberlist.service.publishNotReadyAddresses",
            ),
            true,
        );
    });
});

describe("Loki's S3 secret after ${VAR} expansion", () => {
    /** What Loki parses once it has expanded the variable into the line the chart writes (unquoted). */
    function expanded(value: string): unknown {
        const text = `storage_config:\n  aws:\n    secret_access_key: \${LOKI_S3_SECRET_ACCESS_KEY}\n    region: eu-central-1\n`;
        try {
            return parseYaml(text.replace("${LOKI_S3_SECRET_ACCESS_KEY}", value));
        } catch {
            return undefined;
        }
    }
    const survives = (value: string) => {
        const aws = valueAt(expanded(value), "storage_config.aws") as Record<string, unknown> | undefined;
        // A number or boolean would be read back as its text (Loki's field is a string); null as nothing.
        const key = aws?.secret_access_key;
        const text =
            typeof key === "string" || typeof key === "number" || typeof key === "boolean" ? `${key}` : undefined;
        return text === value && aws?.region === "eu-central-1";
    };
    const withKey = (secretAccessKey: string) => () =>
        prod({
            loki: secret({
                objectStorage: {
                    bucketNames: { chunks: "c-bucket", ruler: "r-bucket", admin: "a-bucket" },
                    accessKeyId: "AKIA",
                    secretAccessKey,
                },
            }),
        });
    const samples = [
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "+starts/with+plus=",
        "has#hash-inside",
        "a:b:c",
        "dollar$sign",
        "has #comment",
        "key: value",
        "ends-with-colon:",
        "#leading-hash",
        "'quoted",
        '"double',
        "*alias",
        "&anchor",
        "!tag",
        "|block",
        ">folded",
        "@at",
        "`tick",
        "%percent",
        "{flow",
        "[flow",
        "- dash",
        "? question",
        " leading-space",
        "trailing-space ",
        "tab\tinside",
        "line\nbreak",
        "~",
        "null",
    ];

    it("refuses exactly the secrets that YAML would not read back, naming the key and not the value", () => {
        for (const sample of samples) {
            if (survives(sample)) {
                assert.doesNotThrow(withKey(sample), JSON.stringify(sample));
            } else {
                assert.throws(
                    withKey(sample),
                    (error: Error) => {
                        assert.match(error.message, /loki\.objectStorage\.secretAccessKey: .*unquoted/);
                        // ("~" and "null" are words of the message itself.)
                        if (sample.length >= 5) assert.ok(!error.message.includes(sample), "the secret is not shown");
                        return true;
                    },
                    JSON.stringify(sample),
                );
            }
        }
        // The two cases are among the refused.
        assert.equal(survives("has #comment"), false);
        assert.equal(survives("key: value"), false);
    });
});

/** A container or pod as the Alloy chart's values describe it. */
type Json = Record<string, unknown>;

/**
 * The Pod Security Standard "restricted" checks that a pod spec's own fields decide (kubernetes.io,
 * pod-security-standards): volume types, host namespaces and ports, privilege, capabilities, user,
 * seccomp. Returns what breaks them.
 */
function restrictedViolations(pod: { securityContext?: Json; volumes?: Json[]; containers: Json[] }): string[] {
    const allowedVolumes = [
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    ];
    const problems: string[] = [];
    for (const volume of pod.volumes ?? []) {
        const type = Object.keys(volume).find((key) => key !== "name");
        if (type === undefined || !allowedVolumes.includes(type))
            problems.push(`volume ${String(volume.name)}: ${type}`);
    }
    const podContext = pod.securityContext ?? {};
    for (const container of pod.containers) {
        const context = (container.securityContext ?? {}) as Json;
        const name = String(container.name);
        const effective = (key: string) => context[key] ?? podContext[key];
        if (context.privileged === true) problems.push(`${name}: privileged`);
        if (context.allowPrivilegeEscalation !== false) problems.push(`${name}: allowPrivilegeEscalation not false`);
        if (effective("runAsNonRoot") !== true) problems.push(`${name}: runAsNonRoot not true`);
        if (effective("runAsUser") === 0) problems.push(`${name}: runAsUser 0`);
        const seccomp = (effective("seccompProfile") as Json | undefined)?.type;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
            problems.push(`${name}: seccomp ${String(seccomp)}`);
        const capabilities = (context.capabilities ?? {}) as { drop?: string[]; add?: string[] };
        if (!(capabilities.drop ?? []).includes("ALL")) problems.push(`${name}: capabilities not dropped`);
        for (const added of capabilities.add ?? [])
            if (added !== "NET_BIND_SERVICE") problems.push(`${name}: adds ${added}`);
        for (const port of (container.ports ?? []) as Json[])
            if (port.hostPort !== undefined) problems.push(`${name}: hostPort`);
    }
    return problems;
}

/** The Alloy pod as the chart builds it from these values (templates/controllers/_pod.yaml, containers/). */
function alloyPod(values: Json) {
    const alloy = values.alloy as Json;
    const reloader = values.configReloader as Json;
    const controller = values.controller as Json;
    const mounts = (valueAt(alloy, "mounts.extra") ?? []) as Json[];
    return {
        securityContext: valueAt(values, "global.podSecurityContext") as Json | undefined,
        volumes: [{ name: "config", configMap: {} }, ...((valueAt(controller, "volumes.extra") ?? []) as Json[])],
        initContainers: (controller.initContainers ?? []) as Json[],
        containers: [
            {
                name: "alloy",
                securityContext: alloy.securityContext,
                volumeMounts: [{ name: "config", mountPath: "/etc/alloy" }, ...mounts],
                args: [`--storage.path=${String(alloy.storagePath)}`],
            },
            { name: "config-reloader", securityContext: reloader.securityContext },
        ] as Json[],
    };
}

describe("Alloy", () => {
    const dev = parseStackConfig("dev", {});
    const values = (alloy = dev.alloy) => alloyValues({ lokiPushUrl: "http://loki:3100/loki/api/v1/push", alloy });

    it("runs on every node, tainted or not, by default; tolerations and a priority class are configurable", () => {
        assert.deepEqual(valueAt(values(), "controller.tolerations"), [{ operator: "Exists" }]);
        assert.equal(valueAt(values(), "controller.priorityClassName"), undefined);
        const custom = parseStackConfig("dev", {
            alloy: plain({
                tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
                priorityClassName: "system-node-critical",
            }),
        });
        assert.deepEqual(valueAt(values(custom.alloy), "controller.tolerations"), [
            { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
        ]);
        assert.equal(valueAt(values(custom.alloy), "controller.priorityClassName"), "system-node-critical");
        assert.throws(
            () => parseStackConfig("dev", { alloy: plain({ tolerations: [{ operator: "Exists", value: "x" }] }) }),
            /alloy\.tolerations\[0\]: .*operator "Exists" takes no value/,
        );
    });

    it("keeps its positions on the node, so a restart resumes where it stopped instead of re-sending", () => {
        const pod = alloyPod(values());
        const storagePath = String(valueAt(values(), "alloy.storagePath"));
        // loki.source.kubernetes keeps positions.yml in its data path, <storage.path>/<component id>.
        const positions = `${storagePath}/loki.source.kubernetes.pods/positions.yml`;
        const mount = (pod.containers[0]?.volumeMounts as Json[]).find((m) =>
            positions.startsWith(`${String(m.mountPath)}/`),
        );
        assert.ok(mount !== undefined, `${positions} is on a mounted volume`);
        const volume = pod.volumes.find((v) => v.name === mount.name);
        assert.deepEqual(valueAt(volume, "hostPath"), {
            path: "/var/lib/stella-monitoring/alloy",
            type: "DirectoryOrCreate",
        });
        assert.equal(mount.readOnly, undefined);
        // The directory kubelet creates is root's: one init container hands it to Alloy's user, and nothing else.
        const [owner] = pod.initContainers;
        assert.deepEqual(owner?.command, ["chown", "473:473", String(mount.mountPath)]);
        assert.deepEqual(valueAt(owner, "securityContext.capabilities"), { drop: ["ALL"], add: ["CHOWN"] });
        assert.ok(
            (owner?.volumeMounts as Json[]).some((m) => m.name === mount.name && m.mountPath === mount.mountPath),
        );
    });

    it("runs as non-root on a read-only root filesystem; on emptyDir positions the pod passes the restricted standard", () => {
        const hostPath = alloyPod(values());
        // On the node's disk: Alloy and the reloader are restricted, the hostPath volume and its owner are not.
        assert.deepEqual(restrictedViolations(hostPath), ["volume positions: hostPath"]);
        assert.equal(valueAt(hostPath.containers[0], "securityContext.readOnlyRootFilesystem"), true);
        assert.equal(valueAt(hostPath.containers[0], "securityContext.runAsUser"), 473);
        const emptyDir = alloyPod(
            values(parseStackConfig("dev", { alloy: plain({ positions: { onNode: false } }) }).alloy),
        );
        assert.deepEqual(
            restrictedViolations({ ...emptyDir, containers: [...emptyDir.containers, ...emptyDir.initContainers] }),
            [],
        );
        assert.deepEqual(emptyDir.initContainers, []);
    });

    it("rolls a quarter of the nodes at once, so 50 nodes finish within the release timeout", () => {
        const strategy = valueAt(values(), "controller.updateStrategy") as {
            type: string;
            rollingUpdate: { maxUnavailable: string };
        };
        assert.equal(strategy.type, "RollingUpdate");
        const share = Number.parseInt(strategy.rollingUpdate.maxUnavailable, 10) / 100;
        const minReady = valueAt(values(), "controller.minReadySeconds") as number | undefined;
        // A node's pod takes 25-40 s to be replaced and ready, then minReadySeconds (the chart's 10 s).
        const perWave = 40 + (minReady ?? 10);
        for (const nodes of [1, 8, 12, 50]) {
            // The DaemonSet controller rounds a percentage of maxUnavailable up.
            const waves = Math.ceil(nodes / Math.ceil(nodes * share));
            assert.ok(waves * perWave <= alloyReleaseTimeoutSeconds, `${nodes} nodes: ${waves} waves of ${perWave}s`);
        }
    });
});

describe("Alloy's level normalisation, run by Go's text/template (through promtool)", () => {
    /** The stage.template's template as Alloy reads it: the Go-quoted string literal, unquoted. */
    function levelTemplate(): string {
        const pipeline = alloyPipeline("http://loki:3100/loki/api/v1/push");
        const stage = /stage\.template \{\s*source\s*=\s*"level"\s*template\s*=\s*("(?:[^"\\]|\\.)*")/.exec(pipeline);
        assert.ok(stage !== null, "a stage.template on level");
        // Alloy unquotes string literals with Go's strconv.Unquote; for \u escapes and \" JSON agrees.
        return JSON.parse(stage[1] as string) as string;
    }

    it("holds no {{ for Helm's tpl, runs before the level label", () => {
        const pipeline = alloyPipeline("http://loki:3100/loki/api/v1/push");
        assert.ok(!pipeline.includes("{{"));
        assert.ok(pipeline.indexOf("stage.template") < pipeline.indexOf("stage.labels"));
    });

    it("lower-cases, maps warning to warn and err to error, anything else to unknown", () => {
        const cases: [string, string][] = [
            ["info", "info"],
            ["INFO", "info"],
            ["WARN", "warn"],
            ["warning", "warn"],
            ["Warning", "warn"],
            ["err", "error"],
            ["ERROR", "error"],
            ["debug", "debug"],
            ["critical", "critical"],
            ["FATAL", "fatal"],
            ["trace", "trace"],
            ["notice", "unknown"],
            ["verbose", "unknown"],
        ];
        // The same template in Prometheus' dialect: .Value is the extracted level, ToLower Alloy's strings.ToLower.
        const template = levelTemplate().replaceAll(".Value", "$labels.level").replaceAll("ToLower", "toLower");
        const dir = mkdtempSync(join(tmpdir(), "alloy-level-"));
        try {
            writeFileSync(
                join(dir, "rules.yaml"),
                stringify({
                    groups: [
                        {
                            name: "level",
                            rules: [{ alert: "Level", expr: "level_probe", annotations: { normalised: template } }],
                        },
                    ],
                }),
            );
            writeFileSync(
                join(dir, "test.yaml"),
                stringify({
                    rule_files: ["rules.yaml"],
                    evaluation_interval: "1m",
                    tests: [
                        {
                            interval: "1m",
                            input_series: cases.map(([level]) => ({
                                series: `level_probe{level="${level}"}`,
                                values: "1",
                            })),
                            alert_rule_test: [
                                {
                                    eval_time: "0m",
                                    alertname: "Level",
                                    exp_alerts: cases.map(([level, normalised]) => ({
                                        exp_labels: { level },
                                        exp_annotations: { normalised },
                                    })),
                                },
                            ],
                        },
                    ],
                }),
            );
            const result = spawnSync("promtool", ["test", "rules", join(dir, "test.yaml")], { encoding: "utf8" });
            assert.equal(result.error, undefined, "promtool is installed");
            assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("lets the dashboard's level variable offer every normalised level", () => {
        const dashboard = logsTracesDashboard({
            stellaNamespace: dev().stella.namespace,
            monitoringNamespace: "monitoring",
            metrics: dev().stella.metrics,
            thresholds: dev().alerting.thresholds,
            slo: dev().slo,
            runbookBaseUrl: dev().alerting.runbookBaseUrl,
            stellaAlerts: ["HighErrorRate"],
        }) as unknown as { templating: { list: { name: string; query?: string }[] } };
        const level = dashboard.templating.list.find((variable) => variable.name === "level");
        assert.deepEqual(level?.query?.split(",").sort(), [...normalisedLevels].sort());
    });
});
