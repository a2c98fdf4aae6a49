// A fake STELLA backend pod, instrumented with prom-client the way a NestJS app is: the metrics of
// docs/metrics.md under the names the client library gives them, /metrics, /health and /health/ready,
// an API route that the traffic generator calls, and faults injected through a separate admin port.
//
//   node --import tsx tools/e2e/fake-backend.ts --port <p> --admin-port <a> --pod <name>
//   POST http://127.0.0.1:<a>/fault  {"mode": "healthy" | "errors" | "hang", "errorRatio"?: 0..1}
//   POST http://127.0.0.1:<a>/label-per-request  {"on": true | false}

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { parseArgs } from "node:util";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export type FaultMode = "healthy" | "errors" | "hang";
export interface Fault {
    readonly mode: FaultMode;
    /** With mode "errors": the share of API requests that fail with 503 (1: a total outage). */
    readonly errorRatio?: number;
}

const { values } = parseArgs({
    strict: true,
    options: {
        port: { type: "string" },
        "admin-port": { type: "string" },
        pod: { type: "string" },
    },
});
const port = Number(values.port);
const adminPort = Number(values["admin-port"]);
if (!Number.isInteger(port) || !Number.isInteger(adminPort) || values.pod === undefined) {
    console.error("usage: fake-backend.ts --port <port> --admin-port <port> --pod <name>");
    process.exit(2);
}

const registry = new Registry();
collectDefaultMetrics({ register: registry });
const requests = new Counter({
    name: "stella_http_requests_total",
    help: "HTTP requests served",
    labelNames: ["method", "route", "status"],
    registers: [registry],
});
// docs/metrics.md asks the backend to create its 5xx label sets at 0 when it starts, so that the first
// failing scrape already counts (without them the 5xx series appears with the first error, and rate()
// and irate() need a second scrape of it).
requests.inc({ method: "GET", route: "/api/sessions", status: "503" }, 0);
requests.inc({ method: "GET", route: "/api/sessions", status: "500" }, 0);
const duration = new Histogram({
    name: "stella_http_request_duration",
    help: "HTTP request duration in seconds",
    labelNames: ["method", "route"],
    // The SLO threshold (1 s) is a bucket boundary.
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
});
const sessions = new Gauge({ name: "stella_sessions_active", help: "Active sessions", registers: [registry] });
const sessionsCreated = new Counter({
    name: "stella_sessions_created_total",
    help: "Sessions created",
    registers: [registry],
});
new Gauge({ name: "stella_agent_pods_active", help: "Agent pods", registers: [registry] }).set(2);
const connections = new Gauge({
    name: "stella_database_connections",
    help: "Database pool connections",
    labelNames: ["state"],
    registers: [registry],
});
connections.set({ state: "active" }, 2);
connections.set({ state: "idle" }, 8);
connections.set({ state: "waiting" }, 0);
sessions.set(5);

// The bad deploy the scrape limits guard against: a user id in a label, a new series per request.
const userRequests = new Counter({
    name: "stella_user_requests_total",
    help: "API requests by user",
    labelNames: ["user_id"],
    registers: [registry],
});
let labelPerRequest = false;

let fault: Fault = { mode: "healthy" };

function api(response: ServerResponse): void {
    const end = duration.startTimer({ method: "GET", route: "/api/sessions" });
    const failing = fault.mode === "errors" && Math.random() < (fault.errorRatio ?? 1);
    const status = failing ? 503 : 200;
    // A real handler takes a few milliseconds.
    setTimeout(() => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify({ ok: !failing }));
        requests.inc({ method: "GET", route: "/api/sessions", status: String(status) });
        if (!failing) sessionsCreated.inc();
        if (labelPerRequest) userRequests.inc({ user_id: randomUUID() });
        end();
    }, 5);
}

const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    // A backend that stops answering: the connection stays open and nothing comes back.
    if (fault.mode === "hang") return;
    const path = (request.url ?? "/").split("?")[0];
    if (path === "/metrics") {
        void registry.metrics().then((text) => {
            response.writeHead(200, { "content-type": registry.contentType });
            response.end(text);
        });
    } else if (path === "/health") {
        response.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    } else if (path === "/health/ready") {
        response.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok","database":"up"}');
    } else if (path === "/api/sessions") {
        api(response);
    } else {
        response.writeHead(404).end();
    }
});

const admin = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
        if (request.method === "POST" && request.url === "/label-per-request") {
            labelPerRequest = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { on: boolean }).on;
            response.writeHead(200).end(JSON.stringify({ labelPerRequest }));
            return;
        }
        if (request.method !== "POST" || request.url !== "/fault") {
            response.writeHead(404).end();
            return;
        }
        const next = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Fault;
        fault = next;
        if (next.mode !== "hang") server.closeIdleConnections();
        response.writeHead(200).end(JSON.stringify(fault));
    });
});

server.listen(port, "127.0.0.1");
admin.listen(adminPort, "127.0.0.1");
const stop = () => {
    server.closeAllConnections();
    server.close();
    admin.close();
    process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
