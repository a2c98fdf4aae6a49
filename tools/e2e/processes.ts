// The processes a loopback run starts, each stopped by its own PID at the end (SIGTERM, then SIGKILL
// after a grace period), whatever happened before.

import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createServer } from "node:net";

// Whatever is still running when this process exits (a test runner interrupted half-way) is killed by
// its PID on the way out.
const running = new Set<number>();
process.once("exit", () => {
    for (const pid of running) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
});

export interface RunningProcess {
    readonly name: string;
    readonly pid: number;
    /** The last 8 kB of its stderr and stdout, for failure messages. */
    log(): string;
    /** Whether it has exited. */
    exited(): boolean;
    stop(): Promise<void>;
}

/** Starts a command; fails at once when it cannot be started (not installed). */
export async function startProcess(
    name: string,
    command: string,
    args: string[],
    options: SpawnOptions = {},
): Promise<RunningProcess> {
    const child: ChildProcess = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-8000));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    let exited = false;
    const exit = new Promise<void>((done) =>
        child.once("exit", () => {
            exited = true;
            if (child.pid !== undefined) running.delete(child.pid);
            done();
        }),
    );
    await new Promise<void>((done, fail) => {
        child.once("spawn", () => done());
        child.once("error", (error) => fail(new Error(`${name}: ${command} did not start: ${error.message}`)));
    });
    const pid = child.pid as number;
    running.add(pid);
    return {
        name,
        pid,
        log: () => log,
        exited: () => exited,
        async stop() {
            if (exited) return;
            process.kill(pid, "SIGTERM");
            const timer = setTimeout(() => {
                if (!exited) process.kill(pid, "SIGKILL");
            }, 5000);
            await exit;
            clearTimeout(timer);
        },
    };
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
    return new Promise((done, fail) => {
        const server = createServer();
        server.once("error", fail);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => done(typeof address === "object" && address !== null ? address.port : 0));
        });
    });
}

/** Polls `url` until it answers 2xx, the process exits, or `timeoutMs` passes. */
export async function waitReady(process: RunningProcess, url: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !process.exited()) {
        try {
            if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
        } catch {
            // not listening yet
        }
        await new Promise((done) => setTimeout(done, 200));
    }
    throw new Error(
        `${process.name} did not become ready at ${url} within ${timeoutMs / 1000} s${process.exited() ? " (it exited)" : ""}:\n${process.log()}`,
    );
}
