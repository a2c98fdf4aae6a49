// The Alloy pipeline and its Helm values, built directly.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackConfig } from "../config";
import { alloyPipeline, alloyValues } from "../components/alloy";

const dev = parseStackConfig("dev", {});

describe("alloy", () => {
    const pipeline = alloyPipeline("http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push");
    it("labels by level only and keeps session_id and trace_id as structured metadata", () => {
        assert.match(pipeline, /stage\.labels \{\s*values = \{ level = "" \}/);
        assert.match(pipeline, /stage\.structured_metadata \{\s*values = \{ session_id = "", trace_id = "" \}/);
        assert.doesNotMatch(pipeline.split("stage.labels")[1]?.split("}")[1] ?? "", /session_id|trace_id/);
    });
    it("holds nothing Helm's tpl would evaluate", () => {
        const values = alloyValues({ lokiPushUrl: "http://loki:3100/loki/api/v1/push", alloy: dev.alloy }) as {
            alloy: { configMap: { content: string } };
        };
        assert.doesNotMatch(values.alloy.configMap.content, /\{\{/);
    });
});
