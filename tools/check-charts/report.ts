// The report on stdout: a table a release, the failures, the warnings, and the requested resources a
// stack, dev's measured against what fits on a laptop cluster.

import type { ReleaseResult, StackName } from "./checks";
import { formatCpu, formatMemory } from "./resources";

/** dev must fit on a laptop cluster. */
const devFootprintTarget = { milliCpu: 1000, bytes: 2 * 1024 ** 3 };

function table(rows: string[][]): string {
    const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
    return rows
        .map((row) =>
            row
                .map((cell, column) => cell.padEnd(widths[column] ?? 0))
                .join("  ")
                .trimEnd(),
        )
        .join("\n");
}

export function report(
    results: readonly ReleaseResult[],
    stacksChecked: readonly StackName[],
    renderFailures: readonly string[],
): boolean {
    const rows = [["stack", "release", "chart", "pinned", "local", "objects", "failures", "warnings", "result"]];
    for (const r of results) {
        rows.push([
            r.stack,
            r.release,
            r.chart,
            r.pinned,
            r.local,
            String(r.objects),
            String(r.failures.length),
            String(r.warnings.length),
            r.failures.length > 0 ? "FAIL" : "ok",
        ]);
    }
    console.log(table(rows));

    const failures = [
        ...renderFailures,
        ...results.flatMap((r) => r.failures.map((failure) => `${r.stack}/${r.release}: ${failure}`)),
    ];
    if (failures.length > 0)
        console.log(`\nFAILURES (${failures.length}):\n${failures.map((failure) => `  ✗ ${failure}`).join("\n")}`);

    for (const stack of stacksChecked) {
        const ofStack = results.filter((r) => r.stack === stack);
        const warnings = ofStack.flatMap((r) => r.warnings);
        if (warnings.length > 0)
            console.log(
                `\nWARNING ${stack}: containers without requests/limits (${warnings.length}):\n${warnings.map((w) => `  ! ${w}`).join("\n")}`,
            );
    }

    console.log("\nRequested resources (workload containers × replicas; a DaemonSet counts one node):");
    for (const stack of stacksChecked) {
        const lines = results
            .filter((r) => r.stack === stack)
            .flatMap((r) => r.footprint.map((line) => ({ ...line, what: `${r.release}: ${line.what}` })));
        if (lines.length === 0) continue;
        const total = lines.reduce(
            (sum, line) => ({ milliCpu: sum.milliCpu + line.milliCpu, bytes: sum.bytes + line.bytes }),
            { milliCpu: 0, bytes: 0 },
        );
        console.log(`\n  ${stack}:`);
        console.log(table(lines.map((line) => ["   ", line.what, formatCpu(line.milliCpu), formatMemory(line.bytes)])));
        let verdict = "";
        if (stack === "dev") {
            const fits = total.milliCpu <= devFootprintTarget.milliCpu && total.bytes <= devFootprintTarget.bytes;
            verdict = fits
                ? "  (within the dev target of 1 CPU / 2 GiB)"
                : "  WARNING: over the dev target of 1 CPU / 2 GiB";
        }
        console.log(`    TOTAL ${stack}: ${formatCpu(total.milliCpu)}, ${formatMemory(total.bytes)}${verdict}`);
    }
    console.log(failures.length === 0 ? "\nall releases pass" : `\n${failures.length} failure(s)`);
    return failures.length === 0;
}
