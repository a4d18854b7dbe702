#!/usr/bin/env python3
"""The read-scaling experiment's measurements and report (bin/experiment-read-scaling). Standard library
only, plus gnuplot for the plots.

  read-scaling.py sample OUT.tsv INTERVAL_S CLUSTER_CMD [proc:NAME=PID ...] [pg:NAME=SOCKET_DIR:PORT ...]
      Until SIGTERM, every INTERVAL_S: each node's CPU from its cgroup (CLUSTER_CMD cpu, i.e.
      bin/cluster cpu: NAME CPUS USAGE_NS THROTTLED_NS NR_THROTTLED NR_PERIODS), the CPU of each
      process tree NAME=PID (the process and its descendants, from /proc), the machine's busy and
      total time (/proc/stat), and each node NAME's statements in flight (its pg_stat_activity, as
      the superuser over its socket). Lines: ms  node NAME CPUS USAGE_NS THROTTLED_NS NR_THROTTLED NR_PERIODS
                                             ms  proc NAME TICKS
                                             ms  machine BUSY_TICKS TOTAL_TICKS
                                             ms  active NAME STATEMENTS

  read-scaling.py report DIR
      DIR/meta, DIR/runs.tsv (one configuration per line, see bin/experiment-read-scaling) and each
      run's directory (search/results.csv, writes/results.csv, cpu.tsv, nodes.tsv) -> DIR/report.md, DIR/summary.tsv
      and the plots DIR/throughput.png, latency.png, cpu.png, timeline.png.

Every figure is taken over a run's measured window only: from WARMUP seconds after its first request
to WARMUP + DURATION (the warm-up before it is not measured). Requests count in the second their
answer arrived.
"""
import csv
import math
import os
import signal
import subprocess
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1


# ---------------------------------------------------------------- sampling

def proc_tree_ticks(root):
    """The CPU ticks of ROOT and every live descendant, with what each of them reaped."""
    children = {}
    stats = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        stats[pid] = fields
    if root not in stats:
        return None
    total = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        # utime + stime, and cutime + cstime: what the process's children used before it reaped them
        # (a descendant that exits moves its time there, so the tree's total never drops)
        total += sum(int(v) for v in stats[pid][11:15])
        todo.extend(children.get(pid, []))
    return total


def machine_ticks():
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])       # without guest time, which user time already counts
    return total - idle, total


ACTIVE_SQL = ("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend'"
              " AND pid <> pg_backend_pid()")


def active_statements(socket_dir, port):
    try:
        psql = os.path.join(os.environ.get("PG_BINDIR", ""), "psql") if os.environ.get("PG_BINDIR") else "psql"
        out = subprocess.run([psql, "-X", "-A", "-t", "-h", socket_dir, "-p", port, "-U", "postgres", "-d", "postgres",
                              "-c", ACTIVE_SQL], capture_output=True, text=True, timeout=5,
                             env=dict(os.environ, PGCONNECT_TIMEOUT="3")).stdout.strip()
        return int(out) if out.isdigit() else None
    except subprocess.TimeoutExpired:
        return None


def sample(out, interval, cluster_cmd, trees, nodes_pg):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(out, "a") as f:
        while not stop:
            started = time.time()
            ms = int(started * 1000)
            try:
                nodes = subprocess.run([cluster_cmd, "cpu"], capture_output=True, text=True, timeout=10).stdout
            except subprocess.TimeoutExpired:
                nodes = ""
            for line in nodes.splitlines():
                fields = line.split()
                if len(fields) == 6 and fields[2] != "-":
                    f.write(f"{ms}\tnode\t" + "\t".join(fields) + "\n")
            for name, pid in trees:
                ticks = proc_tree_ticks(pid)
                if ticks is not None:
                    f.write(f"{ms}\tproc\t{name}\t{ticks}\n")
            busy, total = machine_ticks()
            f.write(f"{ms}\tmachine\t{busy}\t{total}\n")
            for name, (socket_dir, port) in nodes_pg:
                n = active_statements(socket_dir, port)
                if n is not None:
                    f.write(f"{ms}\tactive\t{name}\t{n}\n")
            f.flush()
            time.sleep(max(0.0, interval - (time.time() - started)))


# ---------------------------------------------------------------- one run

def percentile(sorted_values, p):
    if not sorted_values:
        return 0
    return sorted_values[min(len(sorted_values) - 1, int(math.ceil(p / 100 * len(sorted_values))) - 1)]


def read_results(path):
    """JMeter CSV -> list of (start_ms, end_ms, elapsed_ms, ok, label)."""
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            start = int(r["timeStamp"])
            rows.append((start, start + int(r["elapsed"]), int(r["elapsed"]), r["success"] == "true", r["label"]))
    return rows


def stats(rows, t0, t1):
    """Throughput and latency of the requests answered in [t0, t1); errors there and in the whole run."""
    window = [r for r in rows if t0 <= r[1] < t1]
    lat = sorted(r[2] for r in window)
    seconds = (t1 - t0) / 1000
    return {
        "requests": len(window),
        "rps": len(window) / seconds if seconds > 0 else 0,
        "mean": sum(lat) / len(lat) if lat else 0,
        "p50": percentile(lat, 50), "p90": percentile(lat, 90), "p95": percentile(lat, 95),
        "p99": percentile(lat, 99), "max": lat[-1] if lat else 0,
        "errors": sum(1 for r in window if not r[3]),
        "errors_all": sum(1 for r in rows if not r[3]),
        "requests_all": len(rows),
    }


def read_samples(path):
    """cpu.tsv -> {key: [(ms, values...)]}, key ('node', NAME) / ('proc', NAME) / ('machine',)."""
    series = {}
    caps = {}
    if not os.path.exists(path):
        return series, caps
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            ms = int(fields[0])
            if fields[1] == "node":
                name, cpus = fields[2], fields[3]
                caps[name] = cpus
                series.setdefault(("node", name), []).append((ms, *(int(float(v)) for v in fields[4:8])))
            elif fields[1] == "proc":
                series.setdefault(("proc", fields[2]), []).append((ms, int(fields[3])))
            elif fields[1] == "machine":
                series.setdefault(("machine",), []).append((ms, int(fields[2]), int(fields[3])))
            elif fields[1] == "active":
                series.setdefault(("active", fields[2]), []).append((ms, int(fields[3])))
    return series, caps


def at(samples, ms):
    """Each counter of SAMPLES interpolated at MS (held at the ends)."""
    if ms <= samples[0][0]:
        return samples[0][1:]
    if ms >= samples[-1][0]:
        return samples[-1][1:]
    for a, b in zip(samples, samples[1:]):
        if a[0] <= ms <= b[0]:
            w = (ms - a[0]) / (b[0] - a[0]) if b[0] > a[0] else 0
            return tuple(x + (y - x) * w for x, y in zip(a[1:], b[1:]))
    return samples[-1][1:]


def cpu_in_window(series, t0, t1):
    """Cores used over [t0, t1): each node (with its throttled share of periods), each tree, the machine."""
    seconds = (t1 - t0) / 1000
    out = {"nodes": {}, "procs": {}, "machine": None}
    for key, samples in series.items():
        if key[0] == "active" or len(samples) < 2 or seconds <= 0:
            continue
        a, b = at(samples, t0), at(samples, t1)
        d = [y - x for x, y in zip(a, b)]
        if key[0] == "node":
            out["nodes"][key[1]] = {"cores": d[0] / 1e9 / seconds,
                                    "throttled": d[2] / d[3] if d[3] > 0 else 0.0}
        elif key[0] == "proc":
            out["procs"][key[1]] = d[0] / HZ / seconds
        else:
            out["machine"] = NCPU * d[0] / d[1] if d[1] > 0 else 0.0
    return out


def spread(series, names, t0, t1):
    """How evenly the statements in flight were spread over the serving nodes NAMES in [t0, t1): the
    mean per node, and the share of samples in which one of them had none while another had 5 or more."""
    by_time = {}
    for n in names:
        for ms, count in series.get(("active", n), []):
            if t0 <= ms < t1:
                by_time.setdefault(ms // 1000, {})[n] = count
    samples = [v for v in by_time.values() if len(v) == len(names)]
    if not samples:
        return None
    means = {n: sum(v[n] for v in samples) / len(samples) for n in names}
    uneven = sum(1 for v in samples if min(v.values()) == 0 and max(v.values()) >= 5) / len(samples)
    return {"means": means, "uneven": uneven, "samples": len(samples)}


def per_second(rows, t_start):
    counts = {}
    for r in rows:
        counts[(r[1] - t_start) // 1000] = counts.get((r[1] - t_start) // 1000, 0) + 1
    return [(s, counts.get(s, 0)) for s in range(0, max(counts) + 1)] if counts else []


# ---------------------------------------------------------------- the report

def read_runs(directory):
    runs = []
    with open(os.path.join(directory, "runs.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            runs.append(dict(zip(header, line.rstrip("\n").split("\t"))))
    return runs


def analyse(directory, run):
    d = os.path.join(directory, run["name"])
    warm, dur = int(run["warmup"]), int(run["duration"])
    searches = read_results(os.path.join(d, "search", "results.csv"))
    writes = read_results(os.path.join(d, "writes", "results.csv"))
    t_start = min(r[0] for r in searches) if searches else 0
    t0, t1 = t_start + warm * 1000, t_start + (warm + dur) * 1000
    series, caps = read_samples(os.path.join(d, "cpu.tsv"))
    calls = {}
    if os.path.exists(os.path.join(d, "nodes.tsv")):
        with open(os.path.join(d, "nodes.tsv")) as f:
            for line in f:
                name, n = line.split()
                calls[name] = int(n)
    result = dict(run)
    result.update({
        "search": stats(searches, t0, t1),
        "writes": stats(writes, t0, t1) if writes else None,
        "cpu": cpu_in_window(series, t0, t1),
        "spread": spread(series, serving(run), t0, t1),
        "caps": caps,
        "calls": calls,
        "timeline": per_second(searches, t_start),
    })
    return result


def serving(run):
    k = int(run["replicas"])
    return ["primary"] if k == 0 else [f"replica{i}" for i in range(1, k + 1)]


def cap_of(run):
    return None if run["cpus"] in ("max", "none", "") else float(run["cpus"])


def budget(value):
    return None if value in ("max", "none", "") else float(value)


def bound_by(r, threads):
    """A sentence naming the resource that bound the configuration, from its measurements."""
    cap = cap_of(r)
    nodes = r["cpu"]["nodes"]
    procs = r["cpu"]["procs"]
    machine = r["cpu"]["machine"] or 0
    service, jmeter = procs.get("service", 0), procs.get("jmeter", 0) + procs.get("jmeter-writes", 0)
    db = sum(v["cores"] for v in nodes.values())
    other = max(0.0, machine - service - jmeter - db)
    if cap:
        at_limit = [(n, nodes[n]) for n in serving(r) if n in nodes and nodes[n]["cores"] >= 0.85 * cap]
        if at_limit and len(at_limit) == len(serving(r)):
            detail = ", ".join(f"{n} {v['cores']:.3f} of {cap:g} CPU, throttled in {100 * v['throttled']:.0f} % of its periods"
                               for n, v in at_limit)
            who = "the quota of the node serving the reads" if len(at_limit) == 1 else "the quotas of the nodes serving the reads"
            return f"bound by {who}: {detail}."
    for name, used, limit in (("the service", service, budget(r.get("service_cpus", "none"))),
                              ("JMeter", jmeter, budget(r.get("jmeter_cpus", "none")))):
        if limit and used >= 0.85 * limit:
            return f"bound by {name}'s CPU budget: {used:.2f} of {limit:g} CPU."
    sp = r.get("spread")
    # Piled up: a node with several statements in flight on average while another often had none.
    if cap and sp and len(serving(r)) >= 2 and sp["uneven"] >= 0.1 and max(sp["means"].values()) >= 3:
        use = ", ".join(f"{n} {100 * nodes.get(n, {}).get('cores', 0) / cap:.0f} %" for n in serving(r))
        flight = ", ".join(f"{n} {v:.1f}" for n, v in sp["means"].items())
        return (f"bound by how the reads were spread: the service hands them out in turn, and the {threads} JMeter threads piled up"
                f" on whichever node drew the slowest searches, while another ran dry — in {100 * sp['uneven']:.0f} % of the seconds one"
                f" serving node had nothing in flight while another had 5 or more (statements in flight on average: {flight}). So the"
                f" nodes used {use} of their quota, and neither the service ({service:.2f} CPU) nor JMeter ({jmeter:.2f}) was at its budget.")
    if machine >= 0.9 * NCPU:
        parts = {"the service's CPU": service, "JMeter's CPU": jmeter, "the database nodes": db,
                 "other work on the machine": other}
        top = max(parts, key=parts.get)
        return (f"bound by the machine's {NCPU} cores, busy {machine:.2f} of {NCPU} (service {service:.2f}, JMeter {jmeter:.2f},"
                f" nodes {db:.2f}, other work {other:.2f}): the largest share is {top}.")
    if service >= 0.9:
        return f"bound by the service's CPU ({service:.2f} cores) with the machine not full ({machine:.2f} of {NCPU})."
    return (f"bound by the load generator: {threads} JMeter threads each wait for their answer (a closed loop), and no CPU"
            f" is at its limit (nodes below their quota, machine {machine:.2f} of {NCPU} cores).")


def short_label(r):
    """A configuration in a few words, for a plot's axis: 'zipf 3 capped', 'writes 0', 'control 2'."""
    if r["kind"] == "curve":
        return f"{r['dist']}, {r['replicas']}"
    return f"{r['kind']}, {r['replicas']}"


def fmt(x, digits=1):
    return f"{x:,.{digits}f}"


def gnuplot(script):
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def report(directory):
    runs = [analyse(directory, r) for r in read_runs(directory)]
    meta = {}
    with open(os.path.join(directory, "meta")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            meta[k] = v
    threads = meta.get("threads", "?")
    curve = [r for r in runs if r["kind"] == "curve"]
    control = [r for r in runs if r["kind"] == "control"]
    writes = [r for r in runs if r["kind"] == "writes"]
    dists = list(dict.fromkeys(r["dist"] for r in curve))
    node_names = sorted({n for r in runs for n in r["cpu"]["nodes"]}, key=lambda n: (n != "primary", n))

    def base(dist, kind="curve"):
        return next((r for r in runs if r["kind"] == kind and r["dist"] == dist and r["replicas"] == "0"), None)

    # summary.tsv: one line per configuration, for plots and other tools
    with open(os.path.join(directory, "summary.tsv"), "w") as f:
        f.write("# name kind dist cpus replicas rps p50 p95 p99 errors write_errors service_cores " + " ".join(node_names) + "\n")
        for r in runs:
            s = r["search"]
            f.write("\t".join([r["name"], r["kind"], r["dist"], r["cpus"], r["replicas"], f"{s['rps']:.1f}", str(s["p50"]),
                               str(s["p95"]), str(s["p99"]), str(s["errors_all"]),
                               str(r["writes"]["errors_all"] if r["writes"] else 0),
                               f"{r['cpu']['procs'].get('service', 0):.3f}"]
                              + [f"{r['cpu']['nodes'].get(n, {}).get('cores', 0):.3f}" for n in node_names]) + "\n")

    # plot data
    plots = os.path.join(directory, "plot-data")
    os.makedirs(plots, exist_ok=True)
    for dist in dists:
        b = base(dist)
        with open(os.path.join(plots, f"curve-{dist}.dat"), "w") as f:
            f.write("# replicas rps ideal p50 p95 p99\n")
            for r in sorted((r for r in curve if r["dist"] == dist), key=lambda r: int(r["replicas"])):
                k = int(r["replicas"])
                ideal = b["search"]["rps"] * max(k, 1) if b else 0
                s = r["search"]
                f.write(f"{k} {s['rps']:.1f} {ideal:.1f} {s['p50']} {s['p95']} {s['p99']}\n")
    with open(os.path.join(plots, "control.dat"), "w") as f:
        for r in control:
            f.write(f"{r['replicas']} {r['search']['rps']:.1f} {r['dist']}\n")
    with open(os.path.join(plots, "cpu.dat"), "w") as f:
        f.write("config " + " ".join(node_names) + " service jmeter\n")
        for r in runs:
            f.write(f'"{short_label(r)}" ' + " ".join(f"{r['cpu']['nodes'].get(n, {}).get('cores', 0):.3f}" for n in node_names)
                    + f" {r['cpu']['procs'].get('service', 0):.3f}"
                    + f" {r['cpu']['procs'].get('jmeter', 0) + r['cpu']['procs'].get('jmeter-writes', 0):.3f}\n")
    for r in curve:
        with open(os.path.join(plots, f"timeline-{r['name']}.dat"), "w") as f:
            for s, n in r["timeline"]:
                f.write(f"{s} {n}\n")

    cap = next((r["cpus"] for r in curve if cap_of(r)), None)
    nodes_are = f"nodes capped at {cap} CPU" if cap else "nodes uncapped"
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    maxk = max((int(r["replicas"]) for r in runs), default=3)
    lines = []
    for i, dist in enumerate(dists):
        c = colors[i % len(colors)]
        lines.append(f"'{plots}/curve-{dist}.dat' using 1:2 with linespoints lw 2 pt 7 ps 1.3 lc rgb '{c}' title '{dist}, {nodes_are}'")
        lines.append(f"'{plots}/curve-{dist}.dat' using 1:3 with lines dt 2 lw 1.5 lc rgb '{c}' title '{dist}: linear ideal (primary-only x serving nodes)'")
    if control:
        lines.append(f"'{plots}/control.dat' using 1:2 with points pt 5 ps 1.6 lc rgb 'black' title 'zipf, uncapped (control)'")
    gnuplot(f"""
set terminal pngcairo size 1000,620 font ",11" noenhanced
set output "{directory}/throughput.png"
set title "GET /user/search throughput against the number of replicas serving the reads\\n(0 = reads on the primary; {threads} JMeter threads; measured window only)"
set xlabel "replicas serving the reads"
set ylabel "requests/s"
set xrange [-0.3:{maxk}.3]
set xtics 1
set yrange [0:*]
set grid
set key top left
plot {", ".join(lines)}
""")
    panels = []
    for dist in dists:
        panels.append(f"""
set title "{dist}: latency of GET /user/search ({nodes_are})"
plot '{plots}/curve-{dist}.dat' using 1:4 with linespoints lw 2 pt 7 title 'p50', \\
     '' using 1:5 with linespoints lw 2 pt 5 title 'p95', \\
     '' using 1:6 with linespoints lw 2 pt 9 title 'p99'
""")
    gnuplot(f"""
set terminal pngcairo size 1000,{330 * max(1, len(dists))} font ",11" noenhanced
set output "{directory}/latency.png"
set multiplot layout {max(1, len(dists))},1
set xlabel "replicas serving the reads"
set ylabel "ms"
set xrange [-0.3:{maxk}.3]
set xtics 1
set yrange [0:*]
set grid
set key top right
{"".join(panels)}
unset multiplot
""")
    ncol = len(node_names) + 2
    gnuplot(f"""
set terminal pngcairo size 1400,640 font ",10" noenhanced
set output "{directory}/cpu.png"
set title "CPU during each configuration's measured window (nodes: their cgroups; service and JMeter: /proc){'; dashed: the per-node cap of the capped ones' if cap else ''}\\nconfiguration: distribution or part, and the number of replicas serving the reads (0: the primary)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel "cores"
set yrange [0:*]
set grid ytics
set key top left
{f"set arrow from graph 0, first {cap} to graph 1, first {cap} nohead dt 2 lw 2 lc rgb 'black' front" if cap else ""}
plot for [i=2:{ncol + 1}] '{plots}/cpu.dat' using i:xtic(1) title columnheader(i)
""")
    tl = [f"'{plots}/timeline-{r['name']}.dat' using 1:2 with lines lw 1.5 title '{r['label']}'"
          for r in curve if r["dist"] == (dists[0] if dists else "")]
    if tl:
        warm = curve[0]["warmup"]
        gnuplot(f"""
set terminal pngcairo size 1000,520 font ",11" noenhanced
set output "{directory}/timeline.png"
set title "{dists[0]}: requests per second over each run; the first {warm} s warm up and are not measured"
set xlabel "seconds since the run's first request"
set ylabel "requests/s"
set grid
set key outside right
set object 1 rect from 0, graph 0 to {warm}, graph 1 fc rgb '#dddddd' fs solid 0.5 behind
plot {", ".join(tl)}
""")

    # report.md
    md = []
    w = md.append
    w("# Read scaling: what replicas buy when each node has CPU of its own")
    w("")
    w(f"Produced by `{meta.get('command', 'bin/experiment-read-scaling')}` on {meta.get('date', '?')}, in {meta.get('elapsed', '?')}.")
    w("")
    w("## Setting")
    w("")
    w(f"- Machine: {meta.get('machine', '?')}. Everything on it: the {meta.get('nodes', '?')} PostgreSQL nodes, the service, JMeter"
      " — and, on this shared machine, other people's work.")
    w(f"- Load average (1, 5, 15 min) before: {meta.get('load_before', '?')}; after: {meta.get('load_after', '?')}.")
    w(f"- {meta.get('postgres', '')}; service on {meta.get('java', '')}.")
    w(f"- Data: {meta.get('data', '?')}.")
    w(f"- Load: jmeter/search.jmx, {threads} threads, ramp-up {meta.get('rampup', '?')} s; each configuration warms up for"
      f" {meta.get('warmup', '?')} s (and every serving node's tables and indexes are loaded with pg_prewarm first), then"
      f" {meta.get('duration', '?')} s are measured.")
    if cap:
        w(f"- Nodes capped: each node a cgroup with a CFS quota of {cap} CPU (PGCLUSTER_NODE_CPUS={cap}), and then the service and"
          f" JMeter have budgets of their own too ({meta.get('service_cpus', '?')} and {meta.get('jmeter_cpus', '?')} CPU): machines of"
          " their own, which other work on this shared machine cannot take; the service's read timeouts are scaled to the nodes'"
          f" speed ({meta.get('timeouts', '?')}: its defaults, 1.2 s, 1.5 s and 1 s, are for a node with a whole CPU).")
    w("- Uncapped: every node in a cgroup for the accounting only, scheduled as without one, the service and JMeter as any"
      " process, the service's settings its defaults. CPU of the nodes from their cgroups (cpuacct.usage, cpu.stat), of the"
      " service and JMeter from /proc.")
    if writes:
        rate = meta.get("write_rate", "")
        pace = (f"at most {rate} registrations/s in all" if rate else
                "each registering the next user as soon as the last one is answered (a closed loop: their throughput is their latency's inverse)")
        w(f"- Writes: jmeter/register.jmx at the same time, {meta.get('write_threads', '?')} thread(s), {pace}; each registration"
          " is a bcrypt hash in the service and an INSERT on the primary.")
    w("")
    for dist in dists:
        b = base(dist)
        w(f"## The curve: {dist}, {nodes_are}")
        w("")
        w("| replicas serving reads | req/s | × reads on the primary | linear ideal | of linear | mean ms | p50 | p95 | p99 | max | errors (whole run) |")
        w("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in sorted((r for r in curve if r["dist"] == dist), key=lambda r: int(r["replicas"])):
            s = r["search"]
            k = int(r["replicas"])
            ratio = s["rps"] / b["search"]["rps"] if b and b["search"]["rps"] else 0
            ideal = max(k, 1)
            w(f"| {k if k else '0 (the primary)'} | {fmt(s['rps'])} | {ratio:.2f}× | {ideal}× | {100 * ratio / ideal:.0f} % | {fmt(s['mean'])} |"
              f" {s['p50']} | {s['p95']} | {s['p99']} | {s['max']} | {s['errors_all']} of {s['requests_all']:,} |")
        w("")
    w("![throughput against the number of replicas, with the linear ideal](throughput.png)")
    w("")
    w("![latency percentiles against the number of replicas](latency.png)")
    w("")
    if control:
        w("## The control: no caps (the seeds' setting)")
        w("")
        w("| configuration | req/s | × reads on the primary | mean ms | p50 | p95 | p99 | errors (whole run) |")
        w("|---|---|---|---|---|---|---|---|")
        cb = base(control[0]["dist"], "control")
        for r in control:
            s = r["search"]
            ratio = s["rps"] / cb["search"]["rps"] if cb and cb["search"]["rps"] else 0
            w(f"| {r['label']} | {fmt(s['rps'])} | {ratio:.2f}× | {fmt(s['mean'])} | {s['p50']} | {s['p95']} | {s['p99']} | {s['errors_all']} of {s['requests_all']:,} |")
        w("")
    if writes:
        w("## Reads off a busy primary: the write side")
        w("")
        w("| configuration | registrations/s | mean ms | p50 | p95 | p99 | max | errors (whole run) | searches/s | search p99 |")
        w("|---|---|---|---|---|---|---|---|---|---|")
        for r in writes:
            s, ws = r["search"], r["writes"] or stats([], 0, 1)
            w(f"| {r['label']} | {fmt(ws['rps'], 2)} | {fmt(ws['mean'])} | {ws['p50']} | {ws['p95']} | {ws['p99']} | {ws['max']} |"
              f" {ws['errors_all']} of {ws['requests_all']:,} | {fmt(s['rps'])} | {s['p99']} |")
        if len(writes) == 2 and writes[0]["writes"] and writes[1]["writes"]:
            a, b2 = writes[0]["writes"], writes[1]["writes"]
            w("")
            w(f"Moving the reads off the primary: the writes' throughput × {b2['rps'] / a['rps'] if a['rps'] else 0:.2f},"
              f" their p99 × {b2['p99'] / a['p99'] if a['p99'] else 0:.2f} ({a['p99']} → {b2['p99']} ms).")
        w("")
    w("## CPU during each configuration (cores, measured window)")
    w("")
    w("| configuration | " + " | ".join(node_names) + " | service | JMeter | machine (of " + str(NCPU) + ") | node CPU ms per search |")
    w("|---|" + "---|" * (len(node_names) + 4))
    for r in runs:
        cells = []
        for n in node_names:
            v = r["cpu"]["nodes"].get(n)
            if not v:
                cells.append("")
                continue
            c = cap_of(r)
            extra = f" ({100 * v['cores'] / c:.0f} % of cap, throttled {100 * v['throttled']:.0f} %)" if c else ""
            cells.append(f"{v['cores']:.3f}{extra}")
        procs = r["cpu"]["procs"]
        jm = procs.get("jmeter", 0) + procs.get("jmeter-writes", 0)
        rps = r["search"]["rps"]
        db_ms = 1000 * sum(r["cpu"]["nodes"].get(n, {}).get("cores", 0) for n in serving(r)) / rps if rps else 0
        w(f"| {r['label']} | " + " | ".join(cells) + f" | {procs.get('service', 0):.2f} | {jm:.2f} | {(r['cpu']['machine'] or 0):.2f} | {db_ms:.2f} |")
    w("")
    w("![CPU per configuration](cpu.png)")
    w("")
    spreads = [r for r in runs if r.get("spread") and len(serving(r)) >= 2]
    if spreads:
        w("## How evenly the reads were spread (statements in flight on each serving node, sampled once a second)")
        w("")
        w("| configuration | mean in flight per serving node | seconds with one node idle while another had ≥ 5 |")
        w("|---|---|---|")
        for r in spreads:
            sp = r["spread"]
            w(f"| {r['label']} | " + ", ".join(f"{n} {v:.1f}" for n, v in sp["means"].items())
              + f" | {100 * sp['uneven']:.0f} % of {sp['samples']} |")
        w("")
    w("## What bound each configuration")
    w("")
    for r in runs:
        w(f"- **{r['label']}**: {bound_by(r, threads)}")
    w("")
    w("## Where the searches ran (each node's own pg_stat_statements, reset before each run; whole run)")
    w("")
    w("| configuration | " + " | ".join(node_names) + " |")
    w("|---|" + "---|" * len(node_names))
    for r in runs:
        total = sum(r["calls"].values()) or 1
        w(f"| {r['label']} | " + " | ".join(f"{r['calls'].get(n, 0):,} ({100 * r['calls'].get(n, 0) / total:.0f} %)" for n in node_names) + " |")
    w("")
    if curve:
        w("![requests per second over each run](timeline.png)")
        w("")
    with open(os.path.join(directory, "report.md"), "w") as f:
        f.write("\n".join(md))


def main(argv):
    if len(argv) >= 4 and argv[0] == "sample":
        trees, nodes_pg = [], []
        for spec in argv[4:]:
            kind, _, rest = spec.partition(":")
            name, _, value = rest.partition("=")
            if kind == "proc":
                trees.append((name, int(value)))
            elif kind == "pg":
                socket_dir, _, port = value.rpartition(":")
                nodes_pg.append((name, (socket_dir, port)))
            else:
                sys.exit(__doc__)
        sample(argv[1], float(argv[2]), argv[3], trees, nodes_pg)
    elif len(argv) == 2 and argv[0] == "report":
        report(argv[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
