// Cardinality guards on the logs side (issue 14): one bad deploy (a user id or a prompt in a label)
// must not take Loki down. Alloy lets only an allow-list of labels through, and Loki refuses streams
// beyond a per-tenant budget and labels beyond a per-stream budget. Each stack's values are built from
// its stack file, as the program builds them; the Alloy pipeline is the generated text, run stage by
// stage with the semantics of Alloy v1.18.1's loki.process stages (stages/json.go, labels.go,
// structured_metadata.go, label_keep.go).

import assert from "node:assert/strict";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { alloyPipeline, alloyValues } from "../components/alloy";
import { normalisedLevels } from "../catalogue";
import { rulesContext, stellaRuleGroups } from "../alerts/rules";
import { lokiValues } from "../components/loki";
import { lokiIngesterStreamLimit } from "../config/loki-sizing";
import { parseStackConfig, type RawEntry, type StackConfig } from "../config";
import { mandatoryLogLabels } from "../config/schema/loki";
import { offlineStackConfig } from "../tools/offline-config";
import { valueAt } from "../config/paths";
import { canaryOverrides } from "./support/stack-fixtures";

const root = resolve(__dirname, "..");
const plain = (value: unknown): RawEntry => ({ value, secret: false });

/** A stack's config from its stack file (canary secrets for staging and prod), as `pulumi up` reads it. */
function stackConfig(stack: "dev" | "staging" | "prod"): StackConfig {
    return offlineStackConfig(root, stack, stack === "dev" ? [] : canaryOverrides);
}

// ---------------------------------------------------------------------------------------------
// loki.process, stage by stage

type Stage =
    | { kind: "json"; expressions: Record<string, string> }
    | { kind: "template"; source: string }
    | { kind: "labels"; values: Record<string, string> }
    | { kind: "structured_metadata"; values: Record<string, string> }
    | { kind: "label_keep"; values: string[] };

/** `{ a = "x", b = "" }` as Alloy writes an object of strings. */
function alloyObject(text: string): Record<string, string> {
    const body = /^\{(.*)\}$/s.exec(text.trim());
    assert.ok(body !== null, `an Alloy object: ${text}`);
    const fields: Record<string, string> = {};
    for (const field of (body[1] ?? "").matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*")/g))
        fields[field[1] ?? ""] = JSON.parse(field[2] ?? '""') as string;
    return fields;
}

/** The stages of the pipeline's `loki.process "stella"` block, in order. */
function processStages(pipeline: string): Stage[] {
    const block = /loki\.process "stella" \{\n([\s\S]*?)\n\}\n/.exec(pipeline);
    assert.ok(block !== null, 'a loki.process "stella" block');
    const stages: Stage[] = [];
    for (const stage of (block[1] ?? "").matchAll(/^ {2}stage\.(\w+) \{\n([\s\S]*?)\n {2}\}$/gm)) {
        const [, kind, body = ""] = stage;
        const attribute = (name: string) => {
            const match = new RegExp(`^ {4}${name}\\s*=\\s*(.*)$`, "m").exec(body);
            assert.ok(match !== null, `stage.${kind} sets ${name}`);
            return match[1] ?? "";
        };
        if (kind === "json") stages.push({ kind, expressions: alloyObject(attribute("expressions")) });
        else if (kind === "template") stages.push({ kind, source: JSON.parse(attribute("source")) as string });
        else if (kind === "labels" || kind === "structured_metadata")
            stages.push({ kind, values: alloyObject(attribute("values")) });
        else if (kind === "label_keep") stages.push({ kind, values: JSON.parse(attribute("values")) as string[] });
        else assert.fail(`stage.${kind} is not modelled here`);
    }
    return stages;
}

interface Shipped {
    readonly labels: Record<string, string>;
    readonly structuredMetadata: Record<string, string>;
    readonly line: string;
}

/**
 * One line through the stages, starting from the target's labels (discovery.relabel's output). The
 * level template is the one stage not re-enacted: its Go template runs under promtool in
 * test/alloy-logs.test.ts, so lines here carry levels it leaves as they are.
 */
function ship(stages: readonly Stage[], targetLabels: Record<string, string>, line: string): Shipped {
    const labels = { ...targetLabels };
    const structuredMetadata: Record<string, string> = {};
    const extracted: Record<string, string> = {};
    for (const stage of stages) {
        if (stage.kind === "json") {
            // Top-level field names only (what the pipeline's JMESPath expressions are); a line that is
            // not JSON extracts nothing and passes on unchanged.
            let fields: Record<string, unknown> = {};
            try {
                fields = JSON.parse(line) as Record<string, unknown>;
            } catch {
                fields = {};
            }
            for (const [name, field] of Object.entries(stage.expressions)) {
                const value = fields[field];
                // A string as it is, anything else as its JSON text (numbers, objects).
                if (value !== undefined) extracted[name] = typeof value === "string" ? value : JSON.stringify(value);
            }
        } else if (stage.kind === "template") {
            const value = extracted[stage.source];
            assert.ok(
                value === undefined || (normalisedLevels as readonly string[]).includes(value),
                `only already-normalised levels here, not ${value}`,
            );
        } else if (stage.kind === "labels" || stage.kind === "structured_metadata") {
            const into = stage.kind === "labels" ? labels : structuredMetadata;
            for (const [name, source] of Object.entries(stage.values)) {
                const value = extracted[source === "" ? name : source];
                if (value !== undefined && value !== "") into[name] = value;
            }
        } else {
            for (const name of Object.keys(labels)) if (!stage.values.includes(name)) delete labels[name];
        }
    }
    return { labels, structuredMetadata, line };
}

const pushUrl = "http://loki:3100/loki/api/v1/push";
/** A STELLA backend pod's target labels, as discovery.relabel names them. */
const backendPod = {
    namespace: "ai-agents",
    pod: "stella-backend-7d9c-x2x4q",
    container: "backend",
    app: "stella-backend",
};
/** A line a bad deploy might write: the user's id and prompt as top-level JSON fields. */
const leakyLine = JSON.stringify({
    level: "warn",
    msg: "slow completion",
    user_id: "u-8f2c1d",
    prompt: "Summarise my last three invoices and email them to my accountant",
    session_id: "s-41",
    trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
    agent_type: "billing",
});

describe("Alloy's label allow-list, run stage by stage on the generated pipeline", () => {
    it("keeps user_id and prompt out of the labels while level and app stay labels", () => {
        const shipped = ship(processStages(alloyPipeline(pushUrl)), backendPod, leakyLine);
        assert.deepEqual(shipped.labels, { ...backendPod, level: "warn" });
        assert.equal(shipped.labels.app, "stella-backend");
        for (const field of ["user_id", "prompt", "agent_type", "msg"]) assert.ok(!(field in shipped.labels), field);
        assert.deepEqual(shipped.structuredMetadata, {
            session_id: "s-41",
            trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
        });
        // Everything else stays searchable in the line (| json | user_id="…").
        assert.equal(shipped.line, leakyLine);
    });

    it("drops a label nobody allow-listed, whichever stage or relabel rule made it", () => {
        // A later edit that promotes user_id (or a pod label relabelled into the target) is cut by label_keep.
        const pipeline = alloyPipeline(pushUrl).replace(
            '  stage.labels {\n    values = { level = "" }',
            '  stage.json {\n    expressions = { user_id = "user_id" }\n  }\n  stage.labels {\n    values = { level = "", user_id = "" }',
        );
        const stages = processStages(pipeline);
        assert.ok(stages.some((stage) => stage.kind === "labels" && "user_id" in stage.values));
        const shipped = ship(stages, { ...backendPod, tenant_user: "u-8f2c1d" }, leakyLine);
        assert.deepEqual(Object.keys(shipped.labels).sort(), [...mandatoryLogLabels].sort());
        // label_keep is the last stage, so nothing after it can add a label back.
        assert.equal(stages.at(-1)?.kind, "label_keep");
    });

    it("promotes a bounded JSON field listed in alloy.labels, and still not user_id", () => {
        const config = parseStackConfig("dev", {
            alloy: plain({ labels: [...mandatoryLogLabels, "agent_type"] }),
        });
        const content = String(
            valueAt(alloyValues({ lokiPushUrl: pushUrl, alloy: config.alloy }), "alloy.configMap.content"),
        );
        const shipped = ship(processStages(content), backendPod, leakyLine);
        assert.deepEqual(shipped.labels, { ...backendPod, level: "warn", agent_type: "billing" });
        // The default values carry the default list: the rendered config is the five.
        const defaults = String(
            valueAt(alloyValues({ lokiPushUrl: pushUrl, alloy: stackConfig("prod").alloy }), "alloy.configMap.content"),
        );
        assert.match(
            defaults,
            /stage\.label_keep \{\n {4}values = \["app", "container", "level", "namespace", "pod"\]\n {2}\}/,
        );
        assert.ok(!defaults.includes("{{"), "no {{ for Helm's tpl");
    });

    it("makes at most one stream per level (and one without) per container, whatever the users and prompts", () => {
        const stages = processStages(alloyPipeline(pushUrl));
        const streams = new Set<string>();
        for (let index = 0; index < 500; index++) {
            const level = index % 10 === 9 ? undefined : normalisedLevels[index % normalisedLevels.length];
            const line = JSON.stringify({
                level,
                user_id: `u-${index}`,
                prompt: `prompt ${index}`,
                session_id: `s-${index}`,
            });
            streams.add(JSON.stringify(Object.entries(ship(stages, backendPod, line).labels).sort()));
        }
        streams.add(JSON.stringify(Object.entries(ship(stages, backendPod, "plain text, not JSON").labels).sort()));
        assert.equal(streams.size, streamsPerContainer);
    });
});

/** What one container can make with the default labels: a stream per normalised level, and one for lines without. */
const streamsPerContainer = normalisedLevels.length + 1;

/**
 * The containers each stack runs at its busiest, counted generously: every pod on every node (the
 * DaemonSets, the monitoring stack, STELLA's namespaces), twice over during a rollout, whose old pods'
 * streams stay active until they idle out. dev: a kind cluster of ~50 pods; staging ~10 nodes and prod
 * ~50 nodes (the size `alloy.maxUnavailable` is tuned for) of ~30 pods, ~1.3 containers each.
 */
const peakContainers = { dev: 2 * 50 * 1.3, staging: 2 * 10 * 30 * 1.3, prod: 2 * 50 * 30 * 1.3 };

describe("Loki's stream and label budgets", () => {
    for (const [stack, budget] of [
        ["dev", 5000],
        ["staging", 20000],
        ["prod", 75000],
    ] as const) {
        it(`${stack}: refuses new streams past ${budget}, above the streams its pods make at their busiest`, () => {
            const config = stackConfig(stack);
            const limits = valueAt(lokiValues({ loki: config.loki }), "loki.limits_config");
            assert.equal(valueAt(limits, "max_global_streams_per_user"), budget);
            assert.equal(valueAt(limits, "max_label_names_per_series"), 10);
            assert.equal(valueAt(limits, "max_label_value_length"), 256);
            // The per-stream budget: one stream's rate, so one chatty container cannot starve the rest.
            assert.match(String(valueAt(limits, "per_stream_rate_limit")), /^\d+MB$/);
            // Every level of every container at the busiest hour, and room to spare; not so far above
            // that a label leak fills the ingesters' memory before the limit answers.
            const peak = peakContainers[stack] * streamsPerContainer;
            assert.ok(budget > 1.5 * peak, `${stack}: ${budget} streams for a peak of ${peak}`);
            assert.ok(budget < 20 * peak, `${stack}: ${budget} streams is no guard for a peak of ${peak}`);
            // The labels a stream carries, Loki's service_name on top, fit within the label budget.
            assert.ok(config.alloy.labels.length + 1 <= config.loki.limits.maxLabelNamesPerSeries);
        });
    }

    it("refuses an allow-list or a budget that would break the dashboards or refuse every stream, naming the key", () => {
        const refused = (entries: Record<string, RawEntry>, message: RegExp) =>
            assert.throws(() => parseStackConfig("dev", entries), message);
        refused(
            { alloy: plain({ labels: ["namespace", "pod", "container", "app"] }) },
            /alloy\.labels: must keep level \(the dashboards, alerts and runbooks select on namespace, pod, container, app, level\)/,
        );
        refused(
            { alloy: plain({ labels: [...mandatoryLogLabels, "session_id"] }) },
            /alloy\.labels: session_id take a value per session or request and stay structured metadata/,
        );
        refused(
            { alloy: plain({ labels: [...mandatoryLogLabels, "__path__"] }) },
            /alloy\.labels\[5\]: expected a label name/,
        );
        refused({ alloy: plain({ labels: [...mandatoryLogLabels, "level"] }) }, /alloy\.labels: level listed twice/);
        refused(
            {
                alloy: plain({ labels: [...mandatoryLogLabels, "a", "b", "c", "d", "e"] }),
            },
            /alloy\.labels: 10 labels plus Loki's service_name exceed loki\.limits\.maxLabelNamesPerSeries \(10\)/,
        );
        refused({ loki: plain({ limits: { maxLabelValueLength: 128 } }) }, /loki\.limits\.maxLabelValueLength: /);
        refused({ loki: plain({ limits: { maxGlobalStreams: 0 } }) }, /loki\.limits\.maxGlobalStreams: /);
        // Raising the label budget makes room for more labels.
        const wide = parseStackConfig("dev", {
            alloy: plain({ labels: [...mandatoryLogLabels, "a", "b", "c", "d", "e"] }),
            loki: plain({ limits: { maxLabelNamesPerSeries: 11 } }),
        });
        assert.equal(wide.alloy.labels.length, 10);
    });

    it("warns (LokiStreamsNearLimit) at 80% of the limit one ingester enforces, before it refuses streams", () => {
        const expr = (config: StackConfig) =>
            stellaRuleGroups(rulesContext(config))
                .flatMap((group) => group.rules)
                .find((rule) => rule.alert === "LokiStreamsNearLimit")?.expr;
        // One ingester's share is global / ingesters x replication factor (Loki's limiter.go).
        assert.equal(lokiIngesterStreamLimit(stackConfig("dev").loki), 5000);
        assert.equal(lokiIngesterStreamLimit(stackConfig("prod").loki), 75000);
        const wide = stackConfig("prod");
        const distributed = {
            ...wide.loki,
            mode: "distributed" as const,
            distributed: { ...wide.loki.distributed, ingesters: 5 },
        };
        assert.equal(lokiIngesterStreamLimit(distributed), 45000);
        assert.equal(
            expr(stackConfig("staging")),
            'max by (tenant) (loki_ingester_memory_streams{namespace="monitoring"}) / 20000 > 0.8',
        );
    });
});
