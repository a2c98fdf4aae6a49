// The smoke check against a real Prometheus 3 on loopback, loaded with what prod renders: the rule file,
// and a scrape of a STELLA-like target that sends its metrics as text/html (an Express handler returning
// a string). Shows what the PodMonitors' fallbackScrapeProtocol changes, and that the check reads the
// real API: every STELLA group loaded, the backend's `up`, the agents' absence named.

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { stringify } from "yaml";
import { parseStackConfig } from "../config";
import { renderStack } from "../tools/render";
import { runSmokeChecks, smokeChecks, type Opener, type SmokeExpectations } from "../tools/smoke-check";
import { canaryOverrides } from "./support/stack-fixtures";
import { temporaryDirectory } from "./support/temporary";
import { freePort } from "../tools/e2e/processes";

async function untilReady(url: string, what: string): Promise<void> {
    for (let attempt = 0; attempt < 150; attempt++) {
        try {
            if ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok) return;
        } catch {
            // not listening yet
        }
        await new Promise((done) => setTimeout(done, 100));
    }
    assert.fail(`${what} did not become ready within 15 s`);
}

async function query(
    prometheus: string,
    expression: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const response = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(expression)}`);
    const body = (await response.json()) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    return body.data.result;
}

describe("smoke check against a real Prometheus", () => {
    const processes: ChildProcess[] = [];
    let target: Server | undefined;
    let prometheusUrl = "";
    let outputs: Record<string, unknown>;
    let expected: SmokeExpectations;

    before(async () => {
        const rendered = await renderStack({ stack: "prod", overrides: canaryOverrides });
        outputs = rendered.outputs;
        expected = outputs.smokeExpectations as SmokeExpectations;
        const directory = temporaryDirectory("smoke-live-");

        // A backend that returns its metrics as a string: Express sends it as text/html.
        target = createServer((_request, response) => {
            response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
            response.end("# TYPE stella_sessions_active gauge\nstella_sessions_active 3\n");
        });
        const targetPort = await new Promise<number>((done) =>
            target?.listen(0, "127.0.0.1", () => {
                const address = target?.address();
                done(typeof address === "object" && address !== null ? address.port : 0);
            }),
        );

        // What the operator makes of STELLA's PodMonitor (fallbackScrapeProtocol becomes
        // fallback_scrape_protocol), next to the same scrape without it.
        const fallback = parseStackConfig("dev", {}).stella.fallbackScrapeProtocol;
        const scrape = (job: string, extra: Record<string, unknown>) => ({
            job_name: job,
            scrape_interval: "1s",
            static_configs: [{ targets: [`127.0.0.1:${targetPort}`] }],
            ...extra,
        });
        writeFileSync(join(directory, "rules.yaml"), rendered.files.get("prometheus-rules.yaml") ?? "");
        writeFileSync(
            join(directory, "prometheus.yaml"),
            stringify({
                global: { evaluation_interval: "1s" },
                rule_files: [join(directory, "rules.yaml")],
                scrape_configs: [
                    scrape("stella-backend", { fallback_scrape_protocol: fallback }),
                    scrape("without-fallback", {}),
                ],
            }),
        );
        const prometheusPort = await freePort();
        prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
        const prometheus = spawn(
            "prometheus",
            [
                `--config.file=${join(directory, "prometheus.yaml")}`,
                `--storage.tsdb.path=${join(directory, "data")}`,
                `--web.listen-address=127.0.0.1:${prometheusPort}`,
            ],
            { stdio: "ignore" },
        );
        prometheus.once("error", (error) => assert.fail(`prometheus did not start: ${error.message}`));
        processes.push(prometheus);

        await untilReady(`${prometheusUrl}/-/ready`, "Prometheus");
        // Both scrapes have run at least once.
        for (let attempt = 0; attempt < 100; attempt++) {
            if ((await query(prometheusUrl, "up")).length >= 2) return;
            await new Promise((done) => setTimeout(done, 200));
        }
        assert.fail("Prometheus did not scrape both jobs within 20 s");
    });

    after(() => {
        for (const child of processes) child.kill();
        target?.close();
    });

    it("keeps a text/html scrape with the fallback protocol, and refuses it without", async () => {
        const up = new Map((await query(prometheusUrl, "up")).map((series) => [series.metric.job, series.value[1]]));
        assert.equal(up.get("stella-backend"), "1");
        assert.equal(up.get("without-fallback"), "0");
        assert.equal((await query(prometheusUrl, 'stella_sessions_active{job="stella-backend"}'))[0]?.value[1], "3");
    });

    it("finds every STELLA rule group and the backend, and names the agents' missing targets", async () => {
        const opener: Opener = (endpoint) => {
            if (endpoint.kind === "service" && endpoint.service.endsWith("-prometheus"))
                return Promise.resolve({ baseUrl: prometheusUrl, close: () => undefined });
            return Promise.reject(new Error("not running here"));
        };
        const checks = smokeChecks(outputs).filter((check) => check.name.startsWith("Prometheus"));
        const results = await runSmokeChecks(checks, opener, { attempts: 1, delayMs: 0, timeoutMs: 5_000 });
        const failed = results.filter((result) => result.error !== undefined);
        assert.deepEqual(
            failed.map((result) => result.name),
            ["Prometheus targets of stella-agents"],
            JSON.stringify(failed),
        );
        assert.ok(expected.ruleGroups.length >= 3);
        assert.deepEqual(
            results.map((result) => result.name),
            [
                "Prometheus",
                "Prometheus rule groups",
                "Prometheus targets of stella-backend",
                "Prometheus targets of stella-agents",
            ],
        );
    });
});
