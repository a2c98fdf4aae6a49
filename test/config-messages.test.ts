// How a bad config is reported: in the project's words, naming the key as it is typed after
// `pulumi config set --path` (array indices in brackets), echoing the bad value (never a secret's) and
// saying what is allowed; never zod's own text. And Pulumi's usual `kubernetes:context`, which this
// program's explicit provider would silently ignore, is refused with the key to use.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../config/errors";
import { ignoredProviderKeys } from "../config/load";
import { parseStackConfig, type RawEntry } from "../config/parse";
import { configPath } from "../config/paths";
import { tryRender } from "./support/render";

const plain = (value: unknown): RawEntry => ({ value, secret: false });

function problems(entries: Record<string, RawEntry>, stack = "dev"): string[] {
    try {
        parseStackConfig(stack, entries);
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.problems;
    }
    assert.fail(`accepted ${JSON.stringify(entries)}`);
}

/** Zod's own wording, which must never reach a user. */
const zodText =
    /Too (small|big)|Invalid (input|option|string)|received|expected (string|number|int|array|object|boolean)\b|>=|<=/;

describe("config error messages", () => {
    it('slo.availabilityTarget=99.9 says "got 99.9" and what a ratio looks like, converting the percentage', () => {
        assert.deepEqual(problems({ slo: plain({ availabilityTarget: 99.9 }) }), [
            "slo.availabilityTarget: expected a ratio between 0 and 1, such as 0.999, got 99.9 (for 99.9% write 0.999)",
        ]);
        assert.deepEqual(problems({ slo: plain({ latencyTarget: 0 }) }), [
            "slo.latencyTarget: expected a ratio between 0 and 1, such as 0.999, got 0",
        ]);
    });

    it("prints array paths as prometheus.remoteWrite[0].name", () => {
        assert.deepEqual(
            problems({
                prometheus: plain({
                    remoteWrite: [
                        { name: "mimir", url: "https://mimir.example.com/api/v1/push" },
                        { name: "Thanos Receive", url: "thanos" },
                    ],
                }),
            }),
            [
                'prometheus.remoteWrite[1].name: expected a short lower-case name, got "Thanos Receive"',
                'prometheus.remoteWrite[1].url: expected an http(s) URL, got "thanos"',
            ],
        );
        assert.equal(configPath(["prometheus", "remoteWrite", 0, "name"]), "prometheus.remoteWrite[0].name");
        assert.equal(configPath(["jaeger", "storage", "serverUrls", 2]), "jaeger.storage.serverUrls[2]");
    });

    it("words every kind of problem itself, echoing the value", () => {
        const cases: [Record<string, RawEntry>, string][] = [
            [{ prometheus: plain({ replicas: 0 }) }, "prometheus.replicas: expected at least 1, got 0"],
            [{ prometheus: plain({ replicas: 1.5 }) }, "prometheus.replicas: expected a whole number, got 1.5"],
            [{ prometheus: plain({ replicas: "two" }) }, 'prometheus.replicas: expected a number, got "two"'],
            [{ prometheus: plain({ remoteWrite: "x" }) }, 'prometheus.remoteWrite: expected a list, got "x"'],
            [{ stella: plain({ backend: { port: 70000 } }) }, "stella.backend.port: expected at most 65535, got 70000"],
            [
                { kubernetes: plain({ context: "" }) },
                'kubernetes.context: expected a non-empty text, got ""; leave the key out to use its default',
            ],
            [{ grafana: plain({ adminUser: 5 }) }, "grafana.adminUser: expected text, got 5"],
            [
                { prometheus: plain({ podAntiAffinity: "hrad" }) },
                'prometheus.podAntiAffinity: expected one of "soft", "hard", got "hrad" (did you mean "hard"?)',
            ],
            [
                { kubernetes: plain({ createNamespace: "maybe" }) },
                'kubernetes.createNamespace: expected true or false, got "maybe"',
            ],
        ];
        for (const [entries, expected] of cases) {
            const found = problems(entries);
            assert.deepEqual(found, [expected]);
            assert.doesNotMatch(found.join("\n"), zodText);
        }
    });

    it("never echoes a secret, whatever the problem", () => {
        const found = problems({ alerting: { value: { pagerdutyRoutingKey: 123456789012 }, secret: true } });
        assert.equal(found.length, 1);
        assert.match(
            found[0] ?? "",
            /^alerting\.pagerdutyRoutingKey: expected text, got a number \(value not shown: it is a secret\)$/,
        );
        assert.doesNotMatch(found.join("\n"), /123456789012/);
    });
});

describe("kubernetes:context (Pulumi's usual key)", () => {
    it("is refused, naming stella-monitoring:kubernetes.context and the commands to move it", () => {
        assert.deepEqual(ignoredProviderKeys(["stella-monitoring:kubernetes", "kubernetes:context"]), [
            "kubernetes:context: not used: this program's Kubernetes provider reads stella-monitoring:kubernetes.context; " +
                "pulumi config rm kubernetes:context && pulumi config set --path kubernetes.context <context>",
        ]);
        assert.match(
            ignoredProviderKeys(["kubernetes:kubeconfig"])[0] ?? "",
            /^kubernetes:kubeconfig: not used: .*KUBECONFIG/,
        );
        assert.deepEqual(ignoredProviderKeys(["stella-monitoring:kubernetes", "grafana:url"]), []);
    });

    it("stops the program before it registers anything (render with --config kubernetes:context=…)", () => {
        const result = tryRender("dev", ["--config", "kubernetes:context=kind-other"], { timeout: 120_000 });
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /kubernetes:context: not used: .* reads stella-monitoring:kubernetes\.context/);
        assert.match(result.stderr, /\(0 resources were registered\)/);
    });
});
