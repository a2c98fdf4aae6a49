// Day 2 of Alloy: its pod against the restricted Pod Security Standard, positions that survive a
// restart, a rollout that fits the release timeout, and the level normalisation run by Go's
// text/template (through promtool), which the Logs & Traces dashboard's level variable offers.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackConfig, type RawEntry } from "../config";
import { alloyPipeline, alloyReleaseTimeoutSeconds, alloyValues } from "../components/alloy";
import { normalisedLevels } from "../catalogue";
import { logsTracesDashboard } from "../dashboards/logs-traces";
import { dashboardContext } from "../dashboards/model";
import { valueAt } from "../config/paths";
import { assertPromtoolTestPasses } from "./support/tools";

const dev = () => parseStackConfig("dev", {});
const plain = (value: unknown): RawEntry => ({ value, secret: false });

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
        assertPromtoolTestPasses(
            {
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
            },
            {
                "rules.yaml": {
                    groups: [
                        {
                            name: "level",
                            rules: [{ alert: "Level", expr: "level_probe", annotations: { normalised: template } }],
                        },
                    ],
                },
            },
        );
    });

    it("lets the dashboard's level variable offer every normalised level", () => {
        const dashboard = logsTracesDashboard(dashboardContext(dev(), ["HighErrorRate"])) as unknown as {
            templating: { list: { name: string; query?: string }[] };
        };
        const level = dashboard.templating.list.find((variable) => variable.name === "level");
        assert.deepEqual(level?.query?.split(",").sort(), [...normalisedLevels].sort());
    });
});
